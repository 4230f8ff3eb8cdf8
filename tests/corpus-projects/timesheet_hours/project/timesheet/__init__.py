"""Weekly hours from shift logs, with breaks and night shifts."""
