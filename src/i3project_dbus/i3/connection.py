"""One asyncio connection to i3 or sway, on ipc.py's framing: requests one at a time,
events read by the loop without ever blocking it.

It keeps two sockets to one i3, as i3's own clients do. Requests go on one, one at a
time, each reply read in full however many reads it takes. Events arrive on the other,
which the loop reads only when it is readable: what arrives is buffered and every whole
message handed, in order, to one callback; a callback that raises is logged, never the
end of the connection. Anything that leaves a socket's framing in doubt (a header that
is not i3's, a reply of another type, a peer closing mid-message, a request cancelled
before its reply was read, a timeout) ends the connection: the service makes a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
from collections.abc import Callable, Iterable
from typing import Any

from .ipc import (
    EVENT_BIT,
    HEADER,
    READ_SIZE,
    ConnectionLost,
    Decoder,
    EventType,
    MessageType,
    SubscriptionRefused,
    pack,
    parse_event_json,
    parse_header,
    parse_json,
)

log = logging.getLogger(__name__)

READ_TIMEOUT = 5.0
# i3 answers a command only when it has run all of it: hiding and showing hundreds of
# windows in one payload can take it seconds, and that is not a lost connection.
COMMAND_TIMEOUT = 120.0
SUBSCRIBE_TIMEOUT = 2.0

EventCallback = Callable[[int, Any], None]


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class Connection:
    """Two sockets to one i3: one for requests, one for events. ``on_event`` gets each
    event's number (EventType, high bit cleared) and its parsed JSON, in order;
    ``on_lost`` is called once if either socket fails. ``close`` calls neither."""

    def __init__(
        self,
        path: str,
        on_event: EventCallback,
        on_lost: Callable[[], None],
        read_size: int = READ_SIZE,
    ) -> None:
        self.path = path  # the i3 socket both connections are made to
        self._on_event = on_event  # called for every event, in order
        self._on_lost = on_lost  # called once, when the connection fails
        self._read_size = read_size  # the most one read takes
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop of connect()
        self._requests: socket.socket | None = None  # the request socket
        self._events: socket.socket | None = None  # the event socket, read by the loop
        self._decoder = Decoder()  # what the event socket sent, until it is whole
        self._lock = asyncio.Lock()  # one request in flight on the request socket
        self._waiter: asyncio.Future[None] | None = None  # the request socket's readiness
        self._subscribed: asyncio.Future[Any] | None = None  # SUBSCRIBE's answer, awaited
        self._closed = False  # closed or lost: never used again

    @property
    def connected(self) -> bool:
        return self._events is not None and not self._closed

    async def connect(self) -> None:
        """Open both sockets; the loop reads the event socket from here on."""
        loop = self._loop = asyncio.get_running_loop()
        requests = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        events = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            for sock in (requests, events):
                sock.setblocking(False)
                async with asyncio.timeout(READ_TIMEOUT):
                    await loop.sock_connect(sock, self.path)
        except BaseException:
            requests.close()
            events.close()
            raise
        self._requests, self._events = requests, events
        loop.add_reader(events.fileno(), self._read_events)

    async def subscribe(self, events: Iterable[EventType]) -> None:
        """Subscribe and wait for i3's answer: every event after it will be delivered."""
        sock, loop = self._events, self._loop
        if sock is None or loop is None or self._closed:
            raise ConnectionLost("not connected to i3")
        self._subscribed = loop.create_future()
        payload = json.dumps([e.subscription for e in events])
        async with asyncio.timeout(SUBSCRIBE_TIMEOUT):
            await loop.sock_sendall(sock, pack(MessageType.SUBSCRIBE, payload))
            reply = await self._subscribed
        if not (isinstance(reply, dict) and reply.get("success")):
            raise SubscriptionRefused(f"i3 refused the subscription: {reply!r}")

    async def request(self, kind: MessageType, payload: str = "") -> Any:
        """One request; its reply parsed as JSON."""
        raw = await self.request_raw(kind, payload)
        try:
            return parse_json(raw)
        except ValueError as exc:
            self._lose(f"a reply that is not JSON: {exc}")
            raise ConnectionLost(f"i3 sent a reply that is not JSON: {exc}") from exc

    async def request_raw(self, kind: MessageType, payload: str = "") -> bytes:
        """One request; its reply's payload as i3 sent it."""
        timeout = COMMAND_TIMEOUT if kind is MessageType.RUN_COMMAND else READ_TIMEOUT
        async with self._lock:
            sock = self._requests
            if sock is None or self._closed:
                raise ConnectionLost("not connected to i3")
            try:
                await self._send(sock, pack(kind, payload), READ_TIMEOUT)
                length, reply = parse_header(await self._recv(sock, HEADER.size, timeout))
                body = await self._recv(sock, length, READ_TIMEOUT)
            except asyncio.CancelledError:
                # The reply may still come, and the next request would take it for its own.
                self._lose(f"{kind.name} cancelled before its reply was read")
                raise
            except ConnectionLost as exc:
                self._lose(str(exc))
                raise
            except (TimeoutError, OSError) as exc:
                why = str(exc) or f"no reply to {kind.name} in time"
                self._lose(why)
                raise ConnectionLost(why) from exc
            if reply != kind:
                self._lose(f"a reply of type {reply} to {kind.name}")
                raise ConnectionLost(f"i3 answered {kind.name} with a reply of type {reply}")
            return body

    async def _send(self, sock: socket.socket, data: bytes, timeout: float) -> None:
        view = memoryview(data)
        while view:
            try:
                view = view[sock.send(view) :]
            except (BlockingIOError, InterruptedError):
                await self._ready(sock, timeout, write=True)

    async def _recv(self, sock: socket.socket, size: int, timeout: float) -> bytes:
        """Exactly ``size`` bytes; each wait for more must end within ``timeout``."""
        data = bytearray(size)
        view = memoryview(data)
        got = 0
        while got < size:
            try:
                n = sock.recv_into(view[got:], min(size - got, self._read_size))
            except (BlockingIOError, InterruptedError):
                await self._ready(sock, timeout)
                continue
            if not n:
                raise ConnectionLost(f"i3 closed the socket ({got} of {size} bytes read)")
            got += n
        return bytes(data)

    async def _ready(self, sock: socket.socket, timeout: float, write: bool = False) -> None:
        """Wait until the request socket can be written or read. A close() meanwhile
        fails the wait at once, rather than leaving it to time out on a closed socket."""
        assert self._loop is not None
        fd, loop = sock.fileno(), self._loop
        self._waiter = waiter = loop.create_future()
        (loop.add_writer if write else loop.add_reader)(fd, _wake, waiter)
        try:
            async with asyncio.timeout(timeout):
                await waiter
        finally:
            self._waiter = None
            if not self._closed:  # close() has taken the socket off the loop already
                (loop.remove_writer if write else loop.remove_reader)(fd)

    def _read_events(self) -> None:
        """The loop's reader: take what the event socket has, handle every whole message."""
        sock = self._events
        if sock is None or self._closed:
            return
        try:
            chunk = sock.recv(self._read_size)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self._lose(f"event socket: {exc}")
            return
        if not chunk:
            self._lose(f"i3 closed the event socket ({self._decoder.pending} bytes pending)")
            return
        self._decoder.feed(chunk)
        while not self._closed:
            try:
                message = self._decoder.next_message()
                if message is None:
                    return
                kind, raw = message
                body = parse_event_json(kind, raw)
            except (ConnectionLost, ValueError) as exc:
                self._lose(f"event socket: {exc}")
                return
            self._dispatch(kind, body)

    def _dispatch(self, kind: int, body: Any) -> None:
        if not kind & EVENT_BIT:
            # The only reply on this socket is SUBSCRIBE's.
            if self._subscribed is not None and not self._subscribed.done():
                self._subscribed.set_result(body)
            return
        try:
            self._on_event(kind & ~EVENT_BIT, body)
        except Exception:
            log.exception("error handling an i3 event of type %s", kind & ~EVENT_BIT)

    def _lose(self, why: str) -> None:
        if self._closed:
            return
        log.debug("lost the i3 connection: %s", why)
        self.close()
        self._on_lost()

    def close(self) -> None:
        """Close both sockets; idempotent. A request or a SUBSCRIBE waiting for i3 fails."""
        if self._closed:
            return
        self._closed = True
        for sock in (self._requests, self._events):
            if sock is None:
                continue
            if self._loop is not None:
                with contextlib.suppress(ValueError, OSError, RuntimeError):
                    self._loop.remove_reader(sock.fileno())
                    self._loop.remove_writer(sock.fileno())
            sock.close()
        closed = ConnectionLost("the connection was closed")
        for waiter in (self._waiter, self._subscribed):
            if waiter is not None and not waiter.done():
                waiter.set_exception(closed)
