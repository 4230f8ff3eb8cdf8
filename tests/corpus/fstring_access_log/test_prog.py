from prog import format_entry, summarise


def test_format_entry():
    assert format_entry("GET", "/index", 200, 12.54) == "GET    /index -> 200 (2xx) in 12.5 ms"


def test_summarise_orders_by_duration():
    lines = summarise([("GET", "/a", 200, 1.0), ("POST", "/b", 201, 9.0)])
    assert lines[0].startswith("POST")
