from prog import content_length, normalise, parse_headers


def test_parse():
    assert parse_headers(["Host: example.org", "", "body"]) == {"host": "example.org"}


def test_normalise():
    assert normalise({" Accept ": " text/html "}) == {"accept": "text/html"}


def test_content_length():
    assert content_length({"Content-Length": "42"}) == 42
