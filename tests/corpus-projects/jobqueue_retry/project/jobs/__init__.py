"""An in-process job queue with retries, for background work in a small web app."""
