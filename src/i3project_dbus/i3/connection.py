"""The i3ipc.aio connection, hardened: exact reads, one request at a time, raw events.

i3ipc.aio.Connection (2.2) has three faults that matter to a long-running service:
a reply or event larger than one recv() (a GET_TREE of a few hundred windows) is
read short and fails to parse; concurrent requests share the command socket with
no lock, so replies can be crossed; and an exception in an event handler ends its
main loop. This subclass replaces the reading and connecting, serialises requests,
and hands each event to one callback as plain JSON, which is also much cheaper
than building i3ipc's Con objects for every event.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import struct
from collections.abc import Callable
from typing import Any

from i3ipc import Event
from i3ipc._private import EventType, MessageType
from i3ipc.aio import Connection

log = logging.getLogger(__name__)

MAGIC = b"i3-ipc"
HEADER = struct.Struct("=6sII")
SUBSCRIBE_TIMEOUT = 2.0
READ_TIMEOUT = 5.0
# i3 answers a command only when it has run all of it: hiding and showing hundreds of
# windows in one payload can take it seconds, and that is not a lost connection.
COMMAND_TIMEOUT = 120.0

EventCallback = Callable[[str, Any], None]


class ConnectionLost(ConnectionError):
    """The i3 socket closed or stopped answering."""


class SubscriptionRefused(ConnectionLost):
    """i3 or sway answered a SUBSCRIBE with success false (an event type it lacks)."""


def parse_json(raw: bytes) -> Any:
    """Parse an i3 reply or event. i3 passes window titles and classes through byte for
    byte, so any X client can put invalid UTF-8 into a message; such bytes become U+FFFD
    instead of failing the whole message (and with it the connection)."""
    return json.loads(raw.decode("utf-8", errors="replace"))


class I3Connection(Connection):  # type: ignore[misc]
    def __init__(
        self, socket_path: str, on_event: EventCallback, on_lost: Callable[[], None]
    ) -> None:
        super().__init__(socket_path, auto_reconnect=False)
        self._on_event = on_event
        self._on_lost = on_lost
        self._cmd_lock = asyncio.Lock()
        self._sub_reply: asyncio.Future[Any] | None = None
        self._closed = False

    async def connect(self) -> I3Connection:
        path = self._socket_path
        self._loop = asyncio.get_running_loop()
        self._cmd_socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sub_socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._cmd_socket.setblocking(False)
            await asyncio.wait_for(self._loop.sock_connect(self._cmd_socket, path), READ_TIMEOUT)
            self._sub_socket.connect(path)
        except BaseException:
            self._cmd_socket.close()
            self._sub_socket.close()
            raise
        # The subscription socket is read from the loop's reader callback, without ever
        # blocking: what arrives is buffered, and each whole message handled.
        self._sub_socket.setblocking(False)
        self._sub_buffer = bytearray()
        self._sub_fd = self._sub_socket.fileno()
        self._loop.add_reader(self._sub_fd, self._read_message)
        return self

    async def subscribe_events(self, events: list[Event]) -> None:
        """Subscribe and wait for i3's answer, so that no later event can be missed."""
        self._sub_reply = self._loop.create_future()
        payload = json.dumps([e.value for e in events]).encode()
        header = HEADER.pack(MAGIC, len(payload), MessageType.SUBSCRIBE.value)
        await self._loop.sock_sendall(self._sub_socket, header + payload)
        reply = await asyncio.wait_for(self._sub_reply, SUBSCRIBE_TIMEOUT)
        if not (isinstance(reply, dict) and reply.get("success")):
            raise SubscriptionRefused(f"i3 refused the subscription: {reply!r}")

    def _read_message(self) -> None:
        """Take what the event socket has and handle every whole message in the buffer."""
        if self._closed:
            return
        try:
            chunk = self._sub_socket.recv(1 << 20)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            log.debug("i3 event socket: %s", exc)
            self._lose()
            return
        if not chunk:
            log.debug("i3 event socket: i3 closed the socket")
            self._lose()
            return
        buffer = self._sub_buffer
        buffer += chunk
        while len(buffer) >= HEADER.size and not self._closed:
            magic, length, kind = HEADER.unpack_from(buffer)
            end = HEADER.size + length
            if magic != MAGIC:
                log.debug("i3 event socket: bad magic")
                self._lose()
                return
            if len(buffer) < end:
                return
            raw = bytes(buffer[HEADER.size : end])
            del buffer[:end]
            try:
                body = parse_json(raw)
            except ValueError as exc:
                log.debug("i3 event socket: %s", exc)
                self._lose()
                return
            self._handle(kind, body)

    def _handle(self, kind: int, body: Any) -> None:
        if not kind & (1 << 31):
            if self._sub_reply is not None and not self._sub_reply.done():
                self._sub_reply.set_result(body)
            return
        try:
            name = EventType(1 << (kind & 0x7F)).to_string()
        except ValueError:
            return
        self._on_event(name, body)

    async def _message(self, message_type: MessageType, payload: str = "") -> bytes:
        if self._closed:
            raise ConnectionLost("connection to i3 is closed")
        data = payload.encode()
        async with self._cmd_lock:
            try:
                sock = self._cmd_socket
                await self._loop.sock_sendall(
                    sock, HEADER.pack(MAGIC, len(data), message_type.value) + data
                )
                timeout = COMMAND_TIMEOUT if message_type is MessageType.COMMAND else READ_TIMEOUT
                header = await self._recv(HEADER.size, timeout)
                magic, length, _kind = HEADER.unpack(header)
                if magic != MAGIC:
                    raise ConnectionLost("bad magic on the i3 command socket")
                return await self._recv(length)
            except (TimeoutError, OSError) as exc:
                self._lose()
                raise ConnectionLost(str(exc) or type(exc).__name__) from exc

    async def _recv(self, size: int, timeout: float = READ_TIMEOUT) -> bytes:
        chunks = []
        while size:
            chunk = await asyncio.wait_for(
                self._loop.sock_recv(self._cmd_socket, min(size, 1 << 20)), timeout
            )
            if not chunk:
                raise ConnectionLost("i3 closed the socket")
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    async def request(self, message_type: MessageType, payload: str = "") -> Any:
        """One request, its reply parsed as JSON."""
        return parse_json(await self._message(message_type, payload))

    def _lose(self) -> None:
        if self._closed:
            return
        self.close()
        self._on_lost()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(AttributeError, ValueError, OSError):
            self._loop.remove_reader(self._sub_fd)
        for sock in (getattr(self, "_cmd_socket", None), getattr(self, "_sub_socket", None)):
            if sock is not None:
                sock.close()
        if self._sub_reply is not None and not self._sub_reply.done():
            self._sub_reply.set_exception(ConnectionLost("closed"))
