"""i3/connection.py against a scripted i3 on a unix socket: large and split messages,
invalid UTF-8, interleaved events, one request at a time, and every way to lose it."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import AsyncIterator
from typing import Any

import pytest

from harness.fake_i3 import FakeI3, Side, event_message
from i3project_dbus.i3 import connection
from i3project_dbus.i3.connection import Connection
from i3project_dbus.i3.ipc import (
    READ_SIZE,
    ConnectionLost,
    EventType,
    MessageType,
    SubscriptionRefused,
    pack,
)

WAIT = 5.0


def u32(value: int) -> bytes:
    return value.to_bytes(4, sys.byteorder)


class Client:
    """A Connection to the fake i3, both of the fake's sides, and what the connection
    reported: its events in a queue, its loss."""

    def __init__(self, fake: FakeI3, read_size: int, handler: Any) -> None:
        self.conn = Connection(fake.path, self._on_event, self._on_lost, read_size=read_size)
        self.handler = handler
        self.received: asyncio.Queue[tuple[int, Any]] = asyncio.Queue()
        self.lost = asyncio.Event()
        self.losses = 0

    def _on_event(self, kind: int, body: Any) -> None:
        if self.handler is not None:
            self.handler(kind, body)
        self.received.put_nowait((kind, body))

    def _on_lost(self) -> None:
        self.losses += 1
        self.lost.set()

    async def start(self, fake: FakeI3) -> Client:
        await self.conn.connect()
        (self.requests, self.events), _ = await asyncio.gather(
            fake.accept_pair(), self.conn.subscribe([EventType.WINDOW, EventType.TICK])
        )
        return self

    async def next_event(self) -> tuple[int, Any]:
        async with asyncio.timeout(WAIT):
            return await self.received.get()

    async def wait_lost(self) -> None:
        async with asyncio.timeout(WAIT):
            await self.lost.wait()


@pytest.fixture
async def fake() -> AsyncIterator[FakeI3]:
    async with FakeI3() as server:
        yield server


async def connect(fake: FakeI3, read_size: int = READ_SIZE, handler: Any = None) -> Client:
    return await Client(fake, read_size, handler).start(fake)


async def answer(side: Side, kind: MessageType, body: Any, piece: int = 0) -> bytes:
    """Read one request of ``kind`` and answer it; return the request's payload."""
    payload = await side.expect(kind)
    await side.reply(kind, body, piece)
    return payload


async def test_a_5_mb_reply_is_read_whole(fake: FakeI3) -> None:
    client = await connect(fake)
    tree = {"id": 1, "nodes": [{"id": i, "name": "x" * 480} for i in range(10_000)]}
    body = json.dumps(tree).encode()
    assert len(body) > 5_000_000
    got, _ = await asyncio.gather(
        client.conn.request(MessageType.GET_TREE),
        answer(client.requests, MessageType.GET_TREE, body),
    )
    assert got == tree
    client.conn.close()


async def test_a_reply_and_an_event_split_into_1_byte_reads(fake: FakeI3) -> None:
    client = await connect(fake, read_size=1)
    got, payload = await asyncio.gather(
        client.conn.request(MessageType.RUN_COMMAND, "nop"),
        answer(client.requests, MessageType.RUN_COMMAND, [{"success": True}], piece=1),
    )
    assert payload == b"nop"
    assert got == [{"success": True}]
    await client.events.event(EventType.TICK, {"payload": "one byte at a time"}, piece=1)
    assert await client.next_event() == (EventType.TICK, {"payload": "one byte at a time"})
    assert client.losses == 0


async def test_invalid_utf8_in_a_reply_and_an_event_is_replaced(fake: FakeI3) -> None:
    client = await connect(fake)
    got, _ = await asyncio.gather(
        client.conn.request(MessageType.GET_MARKS),
        answer(client.requests, MessageType.GET_MARKS, b'["m\xc3(", "ok"]'),
    )
    assert got == ["m\ufffd(", "ok"]
    await client.events.event(EventType.WINDOW, b'{"change": "title", "name": "\xff"}')
    assert await client.next_event() == (EventType.WINDOW, {"change": "title", "name": "\ufffd"})
    assert client.conn.connected


async def test_events_interleaved_with_requests_arrive_whole_and_in_order(fake: FakeI3) -> None:
    client = await connect(fake)
    burst = b"".join(event_message(EventType.TICK, {"n": n}) for n in range(50))
    split = event_message(EventType.WINDOW, {"n": 50})
    await client.events.write(burst + split[:9])
    request = asyncio.ensure_future(client.conn.request(MessageType.GET_VERSION))
    await client.requests.expect(MessageType.GET_VERSION)
    await client.events.write(split[9:] + event_message(EventType.TICK, {"n": 51}))
    await client.requests.reply(MessageType.GET_VERSION, {"major": 4})
    assert await request == {"major": 4}
    seen = [await client.next_event() for _ in range(52)]
    assert [body["n"] for _kind, body in seen] == list(range(52))
    assert seen[50][0] == EventType.WINDOW


async def test_one_request_in_flight_on_the_request_socket(fake: FakeI3) -> None:
    client = await connect(fake)
    first = asyncio.ensure_future(client.conn.request(MessageType.GET_TREE))
    second = asyncio.ensure_future(client.conn.request(MessageType.GET_MARKS))
    await client.requests.expect(MessageType.GET_TREE)
    # Without the lock the second request would be on the socket by now.
    assert await client.requests.sent_nothing(0.1)
    await client.requests.reply(MessageType.GET_TREE, {"tree": 1})
    await answer(client.requests, MessageType.GET_MARKS, ["m"])
    assert (await first, await second) == ({"tree": 1}, ["m"])


async def test_bad_magic_on_the_request_socket_loses_the_connection(fake: FakeI3) -> None:
    client = await connect(fake)
    request = asyncio.ensure_future(client.conn.request(MessageType.GET_TREE))
    await client.requests.expect(MessageType.GET_TREE)
    await client.requests.write(b"i3-ipX" + u32(2) + u32(4) + b"{}")
    with pytest.raises(ConnectionLost, match="not an i3 IPC message"):
        await request
    await client.wait_lost()
    assert not client.conn.connected
    with pytest.raises(ConnectionLost):
        await client.conn.request(MessageType.GET_TREE)
    assert client.losses == 1


async def test_bad_magic_on_the_event_socket_loses_the_connection(fake: FakeI3) -> None:
    client = await connect(fake)
    await client.events.event(EventType.TICK, {"n": 1})
    await client.events.write(b"xx-ipc" + u32(2) + u32(0x80000007) + b"{}")
    assert await client.next_event() == (EventType.TICK, {"n": 1})
    await client.wait_lost()
    assert client.received.empty()


async def test_i3_closing_mid_reply_loses_the_connection(fake: FakeI3) -> None:
    client = await connect(fake)
    request = asyncio.ensure_future(client.conn.request(MessageType.GET_TREE))
    await client.requests.expect(MessageType.GET_TREE)
    await client.requests.write(pack(MessageType.GET_TREE, b'{"nodes": []}')[:20])
    client.requests.close()
    with pytest.raises(ConnectionLost, match="closed"):
        await request
    await client.wait_lost()


async def test_i3_closing_mid_event_loses_the_connection(fake: FakeI3) -> None:
    client = await connect(fake)
    await client.events.write(event_message(EventType.WINDOW, {"change": "new"})[:17])
    client.events.close()
    await client.wait_lost()
    assert client.received.empty()
    assert client.losses == 1


async def test_a_reply_of_another_type_loses_the_connection(fake: FakeI3) -> None:
    client = await connect(fake)
    request = asyncio.ensure_future(client.conn.request(MessageType.GET_TREE))
    await client.requests.expect(MessageType.GET_TREE)
    await client.requests.reply(MessageType.GET_MARKS, [])
    with pytest.raises(ConnectionLost, match="type 5"):
        await request
    await client.wait_lost()


async def test_a_handler_that_raises_is_logged_and_the_next_event_comes(
    fake: FakeI3, caplog: pytest.LogCaptureFixture
) -> None:
    def handler(kind: int, body: Any) -> None:
        if body.get("bad"):
            raise RuntimeError("handler bug")

    client = await connect(fake, handler=handler)
    await client.events.event(EventType.TICK, {"bad": True})
    await client.events.event(EventType.TICK, {"bad": False})
    assert await client.next_event() == (EventType.TICK, {"bad": False})
    assert client.conn.connected
    assert any("handler bug" in (r.exc_text or "") for r in caplog.records)
    assert any(r.levelno == logging.ERROR for r in caplog.records)


async def test_a_refused_subscription_is_told_and_the_socket_can_subscribe_again(
    fake: FakeI3,
) -> None:
    # sway 1.7 refuses, whole, a SUBSCRIBE that names the output event.
    conn = Connection(fake.path, lambda kind, body: None, lambda: None)
    await conn.connect()
    _requests, events = await fake.accept_pair(subscribe=False)
    first = asyncio.ensure_future(conn.subscribe([EventType.OUTPUT, EventType.TICK]))
    assert json.loads(await events.expect(MessageType.SUBSCRIBE)) == ["output", "tick"]
    await events.reply(MessageType.SUBSCRIBE, {"success": False})
    with pytest.raises(SubscriptionRefused):
        await first
    again = asyncio.ensure_future(conn.subscribe([EventType.TICK]))
    await answer(events, MessageType.SUBSCRIBE, {"success": True})
    await again
    assert conn.connected
    conn.close()


async def test_a_silent_i3_times_out_but_a_long_command_may_take_its_time(
    fake: FakeI3, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(connection, "READ_TIMEOUT", 0.2)
    client = await connect(fake)
    # RUN_COMMAND waits up to COMMAND_TIMEOUT: i3 answers once it has run every command.
    slow = asyncio.ensure_future(client.conn.request(MessageType.RUN_COMMAND, "nop"))
    await client.requests.expect(MessageType.RUN_COMMAND)
    assert await client.requests.sent_nothing(0.5)
    await client.requests.reply(MessageType.RUN_COMMAND, [{"success": True}])
    assert await slow == [{"success": True}]
    with pytest.raises(ConnectionLost, match="GET_TREE"):
        await client.conn.request(MessageType.GET_TREE)
    await client.wait_lost()


async def test_a_request_cancelled_before_its_reply_loses_the_connection(fake: FakeI3) -> None:
    # Its reply would otherwise be read by the next request as that one's own.
    client = await connect(fake)
    request = asyncio.ensure_future(client.conn.request(MessageType.GET_TREE))
    await client.requests.expect(MessageType.GET_TREE)
    request.cancel()
    with pytest.raises(asyncio.CancelledError):
        await request
    await client.wait_lost()
    with pytest.raises(ConnectionLost):
        await client.conn.request(MessageType.GET_MARKS)


async def test_close_is_quiet_and_final(fake: FakeI3) -> None:
    client = await connect(fake)
    client.conn.close()
    client.conn.close()
    assert not client.conn.connected
    assert client.losses == 0
    with pytest.raises(ConnectionLost):
        await client.conn.request(MessageType.GET_TREE)


async def test_a_request_waiting_for_its_reply_fails_at_once_when_the_events_fail(
    fake: FakeI3,
) -> None:
    client = await connect(fake)
    request = asyncio.ensure_future(client.conn.request(MessageType.RUN_COMMAND, "nop"))
    await client.requests.expect(MessageType.RUN_COMMAND)
    await client.events.write(b"garbage-garbage-garbage")
    # Not after COMMAND_TIMEOUT: the close wakes the waiting read.
    with pytest.raises(ConnectionLost, match="closed"):
        async with asyncio.timeout(1.0):
            await request
    assert client.losses == 1
