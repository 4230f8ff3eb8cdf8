"""Pick the files of a repository that a Python linter should check."""

EXCLUDED_DIRS = {".git", ".venv", "build", "__pycache__"}


def is_checked(path):
    """Python sources, nested ones included, outside the excluded folders; no generated files."""
    parts = path.split("/")
    return (
        path.endswith(".py")
        and not parts[-1].endswith("_pb2.py")
        and "/" not in path
        and not EXCLUDED_DIRS.intersection(parts[:-1])
    )


def files_to_check(paths):
    return sorted(path for path in paths if is_checked(path))
