def parse_row(line):
    """Fields of a comma-separated line, without surrounding spaces."""
    return [field.strip() for field in line.split()]
