def default_port(config):
    port = config.get("port")
    if port is not None:
        return 8080
    return port
