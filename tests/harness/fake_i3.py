"""A scripted i3 on a unix socket: the far end of the service's i3 IPC in unit tests.

It speaks the framing of i3project_dbus.i3.ipc (whose byte layout a unit test pins
separately), and does only what a test tells it: read a message, write a reply or an
event, whole or in pieces, or close mid-message.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

from i3project_dbus.i3.ipc import EVENT_BIT, HEADER, EventType, MessageType, pack, parse_header

ACCEPT_TIMEOUT = 5.0


def encode(body: Any) -> bytes:
    """A payload: bytes as they are, anything else as JSON."""
    return body if isinstance(body, bytes) else json.dumps(body).encode()


class Side:
    """One connection a client made: read what it sends, write what i3 would."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def read(self, timeout: float = 5.0) -> tuple[int, bytes]:
        """The client's next whole message, as (type, payload)."""
        async with asyncio.timeout(timeout):
            length, kind = parse_header(await self.reader.readexactly(HEADER.size))
            return kind, await self.reader.readexactly(length)

    async def expect(self, kind: MessageType, timeout: float = 5.0) -> bytes:
        got, payload = await self.read(timeout)
        assert got == kind, f"expected {kind.name}, the client sent type {got}"
        return payload

    async def sent_nothing(self, wait: float) -> bool:
        """True if the client sent no byte for ``wait`` seconds."""
        try:
            async with asyncio.timeout(wait):
                data = await self.reader.read(1)
        except TimeoutError:
            return True
        return not data

    async def write(self, data: bytes, piece: int = 0) -> None:
        """Raw bytes, at once or ``piece`` bytes per write (each drained)."""
        step = piece or len(data) or 1
        for start in range(0, len(data), step):
            self.writer.write(data[start : start + step])
            await self.writer.drain()

    async def reply(self, kind: MessageType, body: Any, piece: int = 0) -> None:
        await self.write(pack(kind, encode(body)), piece)

    async def event(self, kind: EventType, body: Any, piece: int = 0) -> None:
        await self.write(event_message(kind, body), piece)

    def close(self) -> None:
        self.writer.close()


def event_message(kind: EventType, body: Any) -> bytes:
    return pack(kind | EVENT_BIT, encode(body))


class FakeI3:
    """A unix socket server; ``accept()`` gives the next connection a client made.

    ipc.Connection opens its request socket first and its event socket second."""

    def __init__(self) -> None:
        # Not pytest's tmp_path: AF_UNIX paths are limited to 108 bytes.
        self.dir = Path(tempfile.mkdtemp(prefix="i3p-fake-"))
        self.path = str(self.dir / "ipc.sock")
        self._accepted: asyncio.Queue[Side] = asyncio.Queue()
        self._sides: list[Side] = []
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> FakeI3:
        self._server = await asyncio.start_unix_server(self._on_connect, self.path)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for side in self._sides:
            side.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for side in self._sides:
            with contextlib.suppress(OSError, ConnectionError):
                await side.writer.wait_closed()
        shutil.rmtree(self.dir, ignore_errors=True)

    async def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        side = Side(reader, writer)
        self._sides.append(side)
        await self._accepted.put(side)

    async def accept(self) -> Side:
        async with asyncio.timeout(ACCEPT_TIMEOUT):
            return await self._accepted.get()

    async def accept_pair(self, subscribe: bool = True) -> tuple[Side, Side]:
        """The request and the event side of one client; with ``subscribe``, the client's
        SUBSCRIBE is read and accepted."""
        requests = await self.accept()
        events = await self.accept()
        if subscribe:
            await events.expect(MessageType.SUBSCRIBE)
            await events.reply(MessageType.SUBSCRIBE, {"success": True})
        return requests, events
