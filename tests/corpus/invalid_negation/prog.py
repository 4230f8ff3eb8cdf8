def valid_username(name):
    if not name.isalnum():
        return True
    return False
