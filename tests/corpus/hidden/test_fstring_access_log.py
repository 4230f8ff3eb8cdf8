"""Hidden checks for fstring_access_log: other methods, statuses and durations."""
from prog import format_entry, summarise


def test_client_error():
    assert format_entry("DELETE", "/users/7", 404, 0.04) == "DELETE /users/7 -> 404 (4xx) in 0.0 ms"


def test_server_error_rounding():
    assert format_entry("PUT", "/x", 503, 1999.96) == "PUT    /x -> 503 (5xx) in 2000.0 ms"


def test_summary_lines():
    assert summarise([("GET", "/a", 200, 1.0), ("GET", "/b", 302, 3.0)]) == [
        "GET    /b -> 302 (3xx) in 3.0 ms",
        "GET    /a -> 200 (2xx) in 1.0 ms",
    ]
