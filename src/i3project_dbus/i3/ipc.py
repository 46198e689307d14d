"""The i3/sway IPC protocol: the message framing, its type numbers, exact reads.

A message is a 14-byte header (the magic ``i3-ipc``, then the payload's length and the
message type as native-endian uint32) and a JSON payload. A reply carries its request's
type; an event has the high bit set. This module is the only place the header is
defined: the asyncio connection (connection.py), the socket discovery, the test harness
and the bench all take it from here.
"""

from __future__ import annotations

import enum
import json
import re
import socket
import struct
from typing import Any

MAGIC = b"i3-ipc"
# magic, then the payload length and the message type as native-endian uint32 (i3's ipc.h).
HEADER = struct.Struct("=6sII")
# Set in the type of every event; a reply carries the type of its request.
EVENT_BIT = 1 << 31

# The most one read takes from a socket; a larger message takes several reads.
READ_SIZE = 1 << 20


class MessageType(enum.IntEnum):
    """Request types (i3's ipc.h); the reply carries the same number."""

    RUN_COMMAND = 0
    GET_WORKSPACES = 1
    SUBSCRIBE = 2
    GET_OUTPUTS = 3
    GET_TREE = 4
    GET_MARKS = 5
    GET_BAR_CONFIG = 6
    GET_VERSION = 7
    GET_BINDING_MODES = 8
    GET_CONFIG = 9
    SEND_TICK = 10
    SYNC = 11
    GET_BINDING_STATE = 12


class EventType(enum.IntEnum):
    """Event types, without the high bit that marks a message as an event."""

    WORKSPACE = 0
    OUTPUT = 1
    MODE = 2
    WINDOW = 3
    BARCONFIG_UPDATE = 4
    BINDING = 5
    SHUTDOWN = 6
    TICK = 7

    @property
    def subscription(self) -> str:
        """The name a SUBSCRIBE payload gives it."""
        return self.name.lower()


class ConnectionLost(ConnectionError):
    """The i3 socket closed, stopped answering, or sent something that is not i3 IPC."""


class SubscriptionRefused(ConnectionLost):
    """i3 or sway answered a SUBSCRIBE with success false (an event type it lacks)."""


def pack(kind: int, payload: bytes | str = b"") -> bytes:
    """One whole message: the header, then the payload."""
    data = payload.encode() if isinstance(payload, str) else payload
    return HEADER.pack(MAGIC, len(data), kind) + data


def parse_header(data: bytes | bytearray, offset: int = 0) -> tuple[int, int]:
    """The payload length and the message type of the header at ``offset``."""
    magic, length, kind = HEADER.unpack_from(data, offset)
    if magic != MAGIC:
        raise ConnectionLost(f"not an i3 IPC message (magic {bytes(magic)!r})")
    return length, kind


def parse_json(raw: bytes) -> Any:
    """Parse an i3 reply or event. i3 passes window titles and classes through byte for
    byte, so any X client can put invalid UTF-8 into a message; such bytes become U+FFFD
    instead of failing the whole message (and with it the connection)."""
    return json.loads(raw.decode("utf-8", errors="replace"))


# A workspace event carries the whole of the workspaces it names, every window in them
# (110 KB for one of 25 terminals; a switch brings two), and the service reads two of
# its fields: the change and the new workspace's name. i3 writes both before any child.
_WORKSPACE_HEAD = re.compile(rb'\{"change":"([a-z_]+)","current":(null\}?|\{)')
# In JSON text ,"name": is always a key: a quote inside a string is escaped.
_NAME_KEY = re.compile(rb',"name":("(?:[^"\\]|\\.)*")')
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
SKIM_ABOVE = 4096  # bytes: a smaller event is parsed whole, it costs nothing


def parse_event_json(kind: int, raw: bytes) -> Any:
    """An event's body, as parse_json() gives it; a large workspace event only as far as
    the service reads it (its change, and its current workspace's name), if it has the
    shape i3 gives it (sway writes "old" first: parsed whole)."""
    if kind == EVENT_BIT | EventType.WORKSPACE and len(raw) > SKIM_ABOVE:
        skimmed = _skim_workspace(raw)
        if skimmed is not None:
            return skimmed
    return parse_json(raw)


def _skim_workspace(raw: bytes) -> dict[str, Any] | None:
    head = _WORKSPACE_HEAD.match(raw)
    if head is None:
        return None
    change = head.group(1).decode()
    if head.group(2).startswith(b"null"):
        return {"change": change, "current": None}
    name = _NAME_KEY.search(raw, head.end())
    if name is None:
        return None
    # The name must be the workspace's own, not a child's: nothing opened is still open.
    between = _STRING.sub(b"", raw[head.end() : name.start()])
    if between.count(b"{") + between.count(b"[") != between.count(b"}") + between.count(b"]"):
        return None
    return {"change": change, "current": {"name": parse_json(name.group(1))}}


class Decoder:
    """Whole messages out of a byte stream that arrives in pieces of any size."""

    def __init__(self) -> None:
        self._buffer = bytearray()  # bytes received and not yet handed out
        self._start = 0  # where the first message not handed out begins in _buffer

    def feed(self, data: bytes) -> None:
        self._buffer += data

    def next_message(self) -> tuple[int, bytes] | None:
        """The next whole message as (type, payload), or None until more bytes arrive.
        Raises ConnectionLost on a header that is not i3's."""
        buffer, start = self._buffer, self._start
        if len(buffer) - start >= HEADER.size:
            length, kind = parse_header(buffer, start)
            end = start + HEADER.size + length
            if len(buffer) >= end:
                self._start = end
                return kind, bytes(buffer[start + HEADER.size : end])
        # Compact only when nothing whole is left: a burst of events costs one copy.
        del buffer[:start]
        self._start = 0
        return None

    @property
    def pending(self) -> int:
        """Bytes of a message not yet whole."""
        return len(self._buffer) - self._start


def recv_exactly(sock: socket.socket, size: int) -> bytes:
    """Read exactly ``size`` bytes from a blocking socket (its own timeout applies)."""
    data = bytearray(size)
    view = memoryview(data)
    got = 0
    while got < size:
        n = sock.recv_into(view[got:], min(size - got, READ_SIZE))
        if not n:
            raise ConnectionLost(f"i3 closed the socket ({got} of {size} bytes read)")
        got += n
    return bytes(data)
