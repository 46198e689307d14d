"""i3/ipc.py: the framing of i3 IPC messages, pinned byte for byte."""

from __future__ import annotations

import json
import socket
import sys
import threading

import pytest

from harness.fake_i3 import event_message
from i3project_dbus.i3 import ipc
from i3project_dbus.i3.ipc import (
    ConnectionLost,
    Decoder,
    EventType,
    MessageType,
    pack,
    parse_header,
    recv_exactly,
)

WAIT = 5.0


def u32(value: int) -> bytes:
    return value.to_bytes(4, sys.byteorder)


# -- the framing -------------------------------------------------------------------


def test_a_message_is_magic_then_length_and_type_in_native_byte_order() -> None:
    # i3's ipc.h: "i3-ipc", uint32 payload length, uint32 message type, the payload.
    assert pack(MessageType.GET_TREE) == b"i3-ipc" + u32(0) + u32(4)
    assert pack(MessageType.RUN_COMMAND, "nop é") == b"i3-ipc" + u32(6) + u32(0) + "nop é".encode()
    event = pack(EventType.TICK | ipc.EVENT_BIT, b"{}")
    assert event == b"i3-ipc" + u32(2) + u32(0x80000007) + b"{}"
    assert parse_header(event) == (2, 0x80000007)


def test_a_header_without_the_magic_is_refused() -> None:
    with pytest.raises(ConnectionLost, match="not an i3 IPC message"):
        parse_header(b"HTTP/1.1 200 " + u32(0))


def test_subscription_names_are_i3s() -> None:
    names = [e.subscription for e in EventType]
    assert names == ["workspace", "output", "mode", "window", "barconfig_update", "binding",
                     "shutdown", "tick"]  # fmt: skip


def test_the_decoder_takes_a_stream_one_byte_at_a_time() -> None:
    stream = pack(MessageType.GET_TREE, b'{"a": 1}') + event_message(EventType.TICK, {"p": 2})
    decoder = Decoder()
    out = []
    for byte in stream:
        decoder.feed(bytes([byte]))
        while (message := decoder.next_message()) is not None:
            out.append(message)
    assert out == [(4, b'{"a": 1}'), (0x80000007, b'{"p": 2}')]
    assert decoder.pending == 0


def test_the_decoder_takes_many_messages_in_one_piece_and_keeps_a_partial_one() -> None:
    messages = [pack(MessageType.GET_MARKS, f"[{i}]") for i in range(100)]
    stream = b"".join(messages)
    decoder = Decoder()
    decoder.feed(stream + messages[0][:5])
    got = []
    while (message := decoder.next_message()) is not None:
        got.append(message)
    assert [json.loads(body) for _kind, body in got] == [[i] for i in range(100)]
    assert decoder.pending == 5


def test_the_decoder_refuses_a_stream_that_is_not_i3s() -> None:
    decoder = Decoder()
    decoder.feed(b"GET / HTTP/1.1\r\n\r\n")
    with pytest.raises(ConnectionLost):
        decoder.next_message()


def test_invalid_utf8_becomes_replacement_characters() -> None:
    assert ipc.parse_json(b'{"title": "a\xff\xfeb"}') == {"title": "a\ufffd\ufffdb"}


def test_recv_exactly_reads_across_short_writes_and_fails_on_a_short_stream() -> None:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        ours.settimeout(WAIT)
        data = bytes(range(256)) * 64

        def dribble() -> None:
            for start in range(0, len(data), 7):
                theirs.sendall(data[start : start + 7])
            theirs.sendall(b"xy")
            theirs.shutdown(socket.SHUT_WR)

        writer = threading.Thread(target=dribble)
        writer.start()
        assert recv_exactly(ours, len(data)) == data
        with pytest.raises(ConnectionLost, match="2 of 3 bytes"):
            recv_exactly(ours, 3)
        writer.join(WAIT)


def _workspace_event(change: str, name: str, children: int) -> bytes:
    """A workspace event as i3 4.22 writes it: the change, then the whole workspaces."""
    child = {"id": 7, "type": "con", "marks": ['a,"name":"x'], "name": "child", "nodes": []}
    current = {
        "id": 1, "type": "workspace", "marks": ['m,"name":"trap'], "rect": {"x": 0, "y": 0},
        "name": name, "num": -1, "nodes": [child] * children,
    }  # fmt: skip
    body = {"change": change, "current": current, "old": {**current, "name": "old"}}
    return json.dumps(body, separators=(",", ":")).encode()


def test_a_large_workspace_event_is_read_only_as_far_as_the_service_reads_it() -> None:
    kind = ipc.EVENT_BIT | ipc.EventType.WORKSPACE
    for name in ("B-3", 'a "quoted", "name":"x" \\ one', "ünï"):
        raw = _workspace_event("focus", name, 200)
        assert len(raw) > ipc.SKIM_ABOVE
        assert ipc.parse_event_json(kind, raw) == {"change": "focus", "current": {"name": name}}
    # Anything else is parsed whole: a small event, another type, another shape.
    small = _workspace_event("init", "1", 0)
    assert ipc.parse_event_json(kind, small) == json.loads(small)
    window = ipc.EVENT_BIT | ipc.EventType.WINDOW
    raw = _workspace_event("focus", "2", 200)
    assert ipc.parse_event_json(window, raw) == json.loads(raw)
    body = json.loads(raw)
    sway = json.dumps({"change": "focus", "old": body["old"], "current": body["current"]})
    assert ipc.parse_event_json(kind, sway.encode())["old"]["name"] == "old"
    # A node whose children come before its name: the name found is a child's, refused.
    nameless = {k: v for k, v in body["current"].items() if k != "name"}
    late = json.dumps({"change": "focus", "current": {**nameless, "name": "late"}}).encode()
    assert ipc.parse_event_json(kind, late.replace(b": ", b":").replace(b", ", b",")) == {
        "change": "focus",
        "current": json.loads(late)["current"],
    }
