"""`FrameReader` over a real pipe: every wrong Content-Length is logged and the next message read."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator

import pytest
from fixloop.lsp.stdio import MAX_MESSAGE_BYTES, CanonicalReader, FrameReader


def frame(message: object) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


GOOD = {"jsonrpc": "2.0", "id": 1, "method": "shutdown"}
NEXT = {"jsonrpc": "2.0", "id": 2, "method": "shutdown"}


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    read_end, write_end = os.pipe()
    yield read_end, write_end
    for fd in (read_end, write_end):
        try:
            os.close(fd)
        except OSError:
            pass


def feed(pipe: tuple[int, int], data: bytes, *, close: bool = True) -> None:
    """Write `data` from a thread (it may be more than the pipe holds), then maybe close."""

    def write() -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(pipe[1], view[: 1 << 16]) :]
        if close:
            os.close(pipe[1])

    thread = threading.Thread(target=write, daemon=True)
    thread.start()


def bodies(reader: FrameReader) -> list[object]:
    found = []
    while (body := reader.next_body()) is not None:
        try:
            found.append(json.loads(body))
        except ValueError:
            found.append(body)
    return found


def test_well_formed_frames_pass_unchanged(pipe: tuple[int, int]) -> None:
    typed = b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n"
    body = json.dumps(NEXT).encode()
    feed(pipe, frame(GOOD) + b"Content-Length: %d\r\n" % len(body) + typed + b"\r\n" + body)
    assert bodies(FrameReader(pipe[0])) == [GOOD, NEXT]


@pytest.mark.parametrize(
    "header",
    [
        b"Content-Length: abc\r\n\r\n",
        b"Content-Length: -5\r\n\r\n",
        b"Content-Length: 0\r\n\r\n",
        b"Content-Type: application/json\r\n\r\n",  # no length at all
        b"Content-Length: 5\r\nContent-Length: 6\r\n\r\n",
        b"Content-Length: 99999999999999999999\r\n\r\n",
        b"Content-Length: %d\r\n\r\n" % (MAX_MESSAGE_BYTES + 1),
        b"Contnet-Lenght 12\r\n\r\n",
    ],
    ids=[
        "not-a-number",
        "negative",
        "zero",
        "missing",
        "conflicting",
        "absurd",
        "over-limit",
        "junk",
    ],
)
def test_a_bad_header_drops_its_message_and_the_next_one_is_read(
    pipe: tuple[int, int], header: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    feed(pipe, header + json.dumps(GOOD).encode() + frame(NEXT))
    with caplog.at_level(logging.ERROR, logger="fixloop.lsp.stdio"):
        assert bodies(FrameReader(pipe[0])) == [NEXT]
    assert "framing error" in caplog.text and "resynced" in caplog.text


def test_too_short_hands_over_what_it_declared_and_resyncs(pipe: tuple[int, int]) -> None:
    body = json.dumps(GOOD).encode()
    feed(pipe, b"Content-Length: 10\r\n\r\n" + body + frame(NEXT))
    assert bodies(FrameReader(pipe[0])) == [body[:10], NEXT]  # pygls answers -32700 to the first


def test_too_long_ends_where_the_next_message_begins(pipe: tuple[int, int]) -> None:
    body = json.dumps(GOOD).encode()
    feed(pipe, b"Content-Length: 5000\r\n\r\n" + body + frame(NEXT) + frame(GOOD))
    assert bodies(FrameReader(pipe[0])) == [GOOD, NEXT, GOOD]


def test_too_long_with_nothing_after_it_ends_after_a_stall(
    pipe: tuple[int, int], caplog: pytest.LogCaptureFixture
) -> None:
    body = json.dumps(GOOD).encode()
    feed(pipe, b"Content-Length: 5000\r\n\r\n" + body, close=False)
    reader = FrameReader(pipe[0], stall_seconds=0.2)
    with caplog.at_level(logging.ERROR, logger="fixloop.lsp.stdio"):
        assert json.loads(reader.next_body() or b"") == GOOD
    assert "nothing for 0.2s" in caplog.text
    feed(pipe, frame(NEXT))  # and the stream goes on
    assert bodies(reader) == [NEXT]


def test_header_text_inside_a_json_string_does_not_split_a_message(pipe: tuple[int, int]) -> None:
    tricky = {"jsonrpc": "2.0", "id": 3, "params": {"text": "Content-Length: 5\r\n\r\nhello"}}
    feed(pipe, frame(tricky) + frame(NEXT))
    assert bodies(FrameReader(pipe[0])) == [tricky, NEXT]


def test_a_large_message_arriving_in_pieces_is_whole(pipe: tuple[int, int]) -> None:
    big = {"jsonrpc": "2.0", "id": 4, "params": {"text": "x" * (5 * 1024 * 1024)}}
    feed(pipe, frame(big) + frame(NEXT))
    assert bodies(FrameReader(pipe[0])) == [big, NEXT]


def test_megabytes_of_junk_are_skipped_with_bounded_buffering(pipe: tuple[int, int]) -> None:
    feed(pipe, os.urandom(4 * 1024 * 1024).replace(b"\r\n", b"..") + frame(NEXT))
    assert bodies(FrameReader(pipe[0])) == [NEXT]


def test_end_of_input_inside_a_body_ends_the_stream(pipe: tuple[int, int]) -> None:
    feed(pipe, frame(GOOD) + b'Content-Length: 1000\r\n\r\n{"jsonrpc"')
    assert bodies(FrameReader(pipe[0])) == [GOOD]


def test_pygls_sees_canonical_frames(pipe: tuple[int, int]) -> None:
    feed(pipe, b"\r\n" + frame(GOOD))
    reader = CanonicalReader(FrameReader(pipe[0]))
    length = reader.readline()
    assert length == b"Content-Length: %d\r\n" % len(json.dumps(GOOD))
    assert reader.readline() == b"\r\n"
    assert json.loads(reader.read(int(length.split(b":")[1]))) == GOOD
    assert reader.readline() == b""
