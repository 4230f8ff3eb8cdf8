"""The Docker image user code runs in when the settings name none.

It lives in the sandbox layer, the lowest one that needs it, so that the Docker backend takes
its image as an argument and never reads the settings; `fixloop.settings` imports it from here.
"""

from __future__ import annotations

DEFAULT_DOCKER_IMAGE = "python:3.12-slim"
