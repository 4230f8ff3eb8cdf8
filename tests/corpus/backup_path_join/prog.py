"""Names and paths of timestamped backup copies."""

import os


def backup_name(path, stamp):
    """'reports/q3.xlsx', '20240105' -> 'q3-20240105.xlsx'."""
    base, extension = os.path.splitext(os.path.basename(path))
    return f"{base}-{stamp}{extension}"


def backup_path(path, backup_dir, stamp):
    """Where the backup of `path` goes inside `backup_dir`."""
    return os.sep.join(backup_dir, backup_name(path, stamp))


def plan_backups(paths, backup_dir, stamp):
    """{source: destination} for a batch of files."""
    return {path: backup_path(path, backup_dir, stamp) for path in paths}
