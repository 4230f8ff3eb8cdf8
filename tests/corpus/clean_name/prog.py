def clean(name):
    name.strip()
    return name.title()
