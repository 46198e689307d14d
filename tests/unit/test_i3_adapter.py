"""i3/adapter.py against a scripted i3: typed events, the tick barrier, commands, loss."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from harness.fake_i3 import FakeI3, Side, event_message
from i3project_dbus.i3 import adapter as adapter_module
from i3project_dbus.i3.adapter import SYNC_PREFIX, I3Adapter
from i3project_dbus.i3.ipc import EventType, MessageType
from i3project_dbus.model.errors import I3CommandFailed, NotConnected
from i3project_dbus.model.switch import Hide, SwitchPlan
from i3project_dbus.model.window import Window
from i3project_dbus.model.wmevents import TickEvent, WindowEvent, WMEvent, WorkspaceEvent

WAIT = 5.0
TREE = (
    b'{"id": 1, "type": "root", "nodes": [{"id": 2, "type": "output", "name": "X", "nodes": '
    b'[{"id": 3, "type": "workspace", "name": "1", "nodes": [{"id": 4, "type": "con", '
    b'"window": 44, "name": "caf\xe9", "window_properties": {"class": "XTerm"}}]}]}]}'
)


class ScriptedI3:
    """Answers the adapter like i3 would: a tick comes back on the event socket after
    whatever events are queued before it, unless ticks are dropped."""

    def __init__(self, requests: Side, events: Side, version: dict[str, Any]) -> None:
        self.requests = requests
        self.events = events
        self.version = version
        self.before_tick: list[bytes] = []  # events i3 "sends" just before the next tick
        self.drop_ticks = False  # i3 takes the tick but never sends the event
        self.commands: list[str] = []  # every RUN_COMMAND payload, in order
        self.trees = 0  # GET_TREE requests answered
        self.tick_taken = asyncio.Event()  # set when a SEND_TICK was answered
        self._task = asyncio.ensure_future(self._serve())

    async def _serve(self) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                kind, payload = await self.requests.read(timeout=3600)
                await self._answer(MessageType(kind), payload.decode())

    async def _answer(self, kind: MessageType, payload: str) -> None:
        if kind is MessageType.GET_VERSION:
            await self.requests.reply(kind, self.version)
        elif kind is MessageType.SEND_TICK:
            await self.requests.reply(kind, {"success": True})
            self.tick_taken.set()
            if not self.drop_ticks:
                queued, self.before_tick = self.before_tick, []
                tick = event_message(EventType.TICK, {"first": False, "payload": payload})
                await self.events.write(b"".join(queued) + tick)
        elif kind is MessageType.RUN_COMMAND:
            self.commands.append(payload)
            parts = payload.split("; ")
            await self.requests.reply(
                kind,
                [{"success": False, "error": f"bad: {p}"} if "bad" in p else {"success": True}
                 for p in parts],
            )  # fmt: skip
        elif kind is MessageType.GET_TREE:
            self.trees += 1
            await self.requests.reply(kind, TREE)
        elif kind is MessageType.GET_WORKSPACES:
            await self.requests.reply(kind, [{"name": "1"}, {"name": "2: web", "focused": True}])

    async def stop(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


class Setup:
    def __init__(self, adapter: I3Adapter, i3: ScriptedI3, received: list[WMEvent]) -> None:
        self.adapter = adapter
        self.i3 = i3
        self.received = received


async def start(fake: FakeI3, version: dict[str, Any] | None = None, on_event: Any = None) -> Setup:
    received: list[WMEvent] = []
    adapter = I3Adapter(fake.path, on_event or received.append)
    connecting = asyncio.ensure_future(adapter.connect())
    requests, events = await fake.accept_pair()
    i3 = ScriptedI3(requests, events, version or {"human_readable": "4.23 (2023-10-29)"})
    async with asyncio.timeout(WAIT):
        await connecting
    return Setup(adapter, i3, received)


@pytest.fixture
async def fake() -> AsyncIterator[FakeI3]:
    async with FakeI3() as server:
        yield server


@pytest.fixture
async def setup(fake: FakeI3) -> AsyncIterator[Setup]:
    s = await start(fake)
    yield s
    s.adapter.close()
    await s.i3.stop()


async def test_connect_reads_what_it_talks_to(setup: Setup, fake: FakeI3) -> None:
    adapter = setup.adapter
    assert (adapter.socket_path, adapter.description) == (fake.path, "i3 4.23")
    assert adapter.connected and not adapter.is_sway


async def test_sway_is_told_by_its_version() -> None:
    async with FakeI3() as fake:
        sway = await start(fake, {"human_readable": "1.9", "variant": "sway"})
        assert sway.adapter.is_sway and sway.adapter.description == "sway 1.9"
        sway.adapter.close()
        await sway.i3.stop()


async def test_sync_returns_once_every_earlier_event_was_handed_on(setup: Setup) -> None:
    new = {"change": "new", "container": {"id": 5, "type": "con", "window": 55}}
    setup.i3.before_tick = [
        event_message(EventType.WINDOW, new),
        event_message(EventType.TICK, {"first": False, "payload": "project:x"}),
        event_message(EventType.WORKSPACE, {"change": "focus", "current": {"name": "2"}}),
    ]
    assert await setup.adapter.sync() is True
    assert setup.received == [
        WindowEvent("new", 5, Window(5, x11_id=55)),
        TickEvent("project:x", False),
        WorkspaceEvent("focus", "2"),
    ]
    assert await setup.adapter.sync() is True
    # Neither sync tick, nor a stray one with the prefix, reaches on_event.
    await setup.i3.events.event(EventType.TICK, {"first": False, "payload": SYNC_PREFIX + "99"})
    assert await setup.adapter.sync() is True
    assert len(setup.received) == 3
    assert not any(
        isinstance(e, TickEvent) and e.payload.startswith(SYNC_PREFIX) for e in setup.received
    )


async def test_sync_gives_up_when_its_tick_does_not_come(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(adapter_module, "SYNC_TIMEOUT", 0.2)
    setup.i3.drop_ticks = True
    assert await setup.adapter.sync() is False
    setup.i3.drop_ticks = False
    assert await setup.adapter.sync() is True
    assert setup.adapter.connected


async def test_sync_raises_not_connected_when_i3_goes_away(setup: Setup) -> None:
    setup.i3.drop_ticks = True
    waiting = asyncio.ensure_future(setup.adapter.sync())
    async with asyncio.timeout(WAIT):
        await setup.i3.tick_taken.wait()
    setup.i3.events.close()
    with pytest.raises(NotConnected):
        async with asyncio.timeout(WAIT):
            await waiting
    assert setup.adapter.lost.is_set() and not setup.adapter.connected
    with pytest.raises(NotConnected):
        await setup.adapter.sync()
    with pytest.raises(NotConnected):
        await setup.adapter.run("nop")


async def test_an_on_event_that_raises_is_logged_and_the_events_go_on(
    fake: FakeI3, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[WMEvent] = []

    def on_event(event: WMEvent) -> None:
        if isinstance(event, TickEvent) and event.payload == "boom":
            raise RuntimeError("listener bug")
        seen.append(event)

    s = await start(fake, on_event=on_event)
    s.i3.before_tick = [
        event_message(EventType.TICK, {"payload": "boom"}),
        event_message(EventType.TICK, {"payload": "after"}),
    ]
    assert await s.adapter.sync() is True
    assert seen == [TickEvent("after", False)]
    assert s.adapter.connected
    # Logged by the adapter, which names the event (not left to the connection's guard).
    logged = [r for r in caplog.records if "listener bug" in (r.exc_text or "")]
    assert [r.levelno for r in logged] == [logging.ERROR]
    assert "TickEvent" in logged[0].getMessage()
    s.adapter.close()
    await s.i3.stop()


async def test_run_raises_naming_what_i3_refused(setup: Setup) -> None:
    await setup.adapter.run("nop; mark x")
    with pytest.raises(I3CommandFailed, match="bad: bad one; bad: bad two"):
        await setup.adapter.run("nop; bad one; bad two")
    await setup.adapter.run("")
    assert setup.i3.commands == ["nop; mark x", "nop; bad one; bad two"]


async def test_the_tree_an_autosave_read_serves_the_next_read_if_nothing_changed(
    setup: Setup,
) -> None:
    adapter, i3 = setup.adapter, setup.i3
    parse = await adapter.capture_later()
    assert [c.window.id for c in parse().windows] == [4]
    assert (await adapter.tree())["id"] == 1
    assert i3.trees == 1  # taken over, once
    await adapter.tree()
    assert i3.trees == 2
    # An event in between: the tree may be another one.
    await adapter.capture_later()
    i3.before_tick = [event_message(EventType.WORKSPACE, {"change": "focus", "current": {}})]
    assert await adapter.sync() is True
    await adapter.tree()
    assert i3.trees == 4
    # A command in between: the same.
    await adapter.capture_later()
    await adapter.run("nop")
    await adapter.tree()
    assert i3.trees == 6


async def test_tree_json_is_i3s_text_and_windows_are_parsed(setup: Setup) -> None:
    text = await setup.adapter.tree_json()
    assert json.loads(text)["nodes"][0]["name"] == "X"
    assert "caf\ufffd" in text
    windows = await setup.adapter.windows()
    assert [(w.id, w.wm_class, w.workspace, w.output) for w in windows] == [(4, "XTerm", "1", "X")]
    assert await setup.adapter.focused_workspace() == "2: web"


async def test_sway_refocuses_the_workspace_a_hidden_window_leaves() -> None:
    async with FakeI3() as fake:
        sway = await start(fake, {"human_readable": "1.9", "variant": "sway"})
        hide = Hide(Window(4, x11_id=44), "_i3p_restore:4:0:1", ())
        await sway.adapter.run_switch(SwitchPlan(target="b", hide=(hide,), show=()))
        assert sway.i3.commands[-1].endswith('workspace --no-auto-back-and-forth "2: web"')
        sway.adapter.close()
        await sway.i3.stop()


async def test_a_sway_that_lacks_the_output_event_is_subscribed_without_it(fake: FakeI3) -> None:
    adapter = I3Adapter(fake.path, lambda event: None)
    connecting = asyncio.ensure_future(adapter.connect())
    requests, events = await fake.accept_pair(subscribe=False)
    first = json.loads(await events.expect(MessageType.SUBSCRIBE))
    await events.reply(MessageType.SUBSCRIBE, {"success": False})
    second = json.loads(await events.expect(MessageType.SUBSCRIBE))
    await events.reply(MessageType.SUBSCRIBE, {"success": True})
    await requests.expect(MessageType.GET_VERSION)
    await requests.reply(MessageType.GET_VERSION, {"human_readable": "1.7", "variant": "sway"})
    async with asyncio.timeout(WAIT):
        await connecting
    assert "output" in first
    assert second == [name for name in first if name != "output"]
    assert adapter.description == "sway 1.7"
    adapter.close()
