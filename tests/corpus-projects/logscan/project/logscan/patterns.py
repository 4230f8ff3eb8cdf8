"""Regular expressions for the log formats we read."""

import re

# "2024-05-01 12:00:03,120 [worker-2] ERROR payments: card declined (order=812)"
APP_LINE = re.compile(
    r"(?P<stamp>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}),(?P<millis>\d{3}) "
    r"\[(?P<thread>[^\]]+)\] (?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL) "
    r"(?P<logger>[\w.]+): (?P<message>.*)"
)
# "... took 231 ms" anywhere in a message
DURATION = re.compile(r"took (\d+) ms")
