"""The i3 adapter against a real i3 with real X windows: typed events, the tick barrier,
commands, the tree, the loss of i3."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from harness import I3, XWindows, apoll
from i3project_dbus.i3.adapter import SYNC_PREFIX, I3Adapter
from i3project_dbus.model.errors import I3CommandFailed, NotConnected
from i3project_dbus.model.window import Window
from i3project_dbus.model.wmevents import TickEvent, WindowEvent, WMEvent, WorkspaceEvent


class Received:
    """What on_event was handed, in order."""

    def __init__(self) -> None:
        self.events: list[WMEvent] = []

    def __call__(self, event: WMEvent) -> None:
        self.events.append(event)

    def windows(self, change: str, x11_id: int) -> list[WindowEvent]:
        return [
            e
            for e in self.events
            if isinstance(e, WindowEvent)
            and e.change == change
            and e.window is not None
            and e.window.x11_id == x11_id
        ]

    def ticks(self) -> list[TickEvent]:
        return [e for e in self.events if isinstance(e, TickEvent)]


@pytest.fixture
def received() -> Received:
    return Received()


@pytest.fixture
async def adapter(i3: I3, received: Received) -> AsyncIterator[I3Adapter]:
    adapter = I3Adapter(i3.socket, received)
    await adapter.connect()
    yield adapter
    adapter.close()


async def managed(adapter: I3Adapter, xid: int) -> list[Window] | None:
    """The windows of the tree, once it holds X window ``xid``."""
    windows = await adapter.windows()
    return windows if any(w.x11_id == xid for w in windows) else None


async def i3_msg(i3: I3, *args: str) -> None:
    proc = await asyncio.create_subprocess_exec(
        "i3-msg", "-s", i3.socket, *args, stdout=asyncio.subprocess.DEVNULL
    )
    assert await proc.wait() == 0


async def test_connect_names_i3_and_its_first_tick_arrives(
    adapter: I3Adapter, received: Received
) -> None:
    assert adapter.connected and not adapter.is_sway
    assert adapter.description.startswith("i3 4.")
    assert await adapter.sync() is True
    # i3 sends a first tick, with no payload, to every new tick subscriber.
    assert received.ticks() == [TickEvent("", True)]


async def test_a_real_window_opening_is_a_typed_new_event(
    adapter: I3Adapter, received: Received, xwindows: XWindows
) -> None:
    xid = xwindows.open("AdapterTest", "adaptertest", "hello")
    # The event arrives on its own: no sync() needed to see it.
    await apoll(lambda: received.windows("new", xid), what="the new window's event")
    [new] = received.windows("new", xid)
    assert new.window is not None
    assert (new.window.wm_class, new.window.instance) == ("AdapterTest", "adaptertest")
    assert new.con_id == new.window.id
    xwindows.set_title(xid, "changed")
    await apoll(lambda: received.windows("title", xid), what="the title event")
    xwindows.close(xid)
    await apoll(lambda: received.windows("close", xid), what="the close event")


async def test_after_sync_every_earlier_event_is_in(
    adapter: I3Adapter, received: Received, i3: I3, xwindows: XWindows
) -> None:
    xid = xwindows.open("AdapterTest", "adaptertest", "one")
    # Once the tree holds the window, the barrier proves its events were handed on.
    await apoll(lambda: managed(adapter, xid), what="i3 to manage the window")
    assert await adapter.sync() is True
    assert received.windows("new", xid)
    await adapter.run("workspace 7")
    assert await adapter.sync() is True
    assert WorkspaceEvent("focus", "7") in received.events
    assert [w["name"] for w in i3.workspaces() if w["focused"]] == ["7"]


async def test_a_tick_from_i3_msg_is_a_tick_event_and_sync_ticks_never_are(
    adapter: I3Adapter, received: Received, i3: I3
) -> None:
    for _ in range(3):
        assert await adapter.sync() is True
    await i3_msg(i3, "-t", "send_tick", "project:x")
    assert await adapter.sync() is True
    # i3 sends a tick to its subscribers before it answers the one who sent it.
    assert received.ticks() == [TickEvent("", True), TickEvent("project:x", False)]
    assert not [t for t in received.ticks() if t.payload.startswith(SYNC_PREFIX)]


async def test_a_bad_command_raises_and_a_good_one_runs(adapter: I3Adapter, i3: I3) -> None:
    with pytest.raises(I3CommandFailed) as failed:
        await adapter.run("no_such_command_at_all")
    assert "Expected one of these tokens" in str(failed.value)
    await adapter.run('mark --add "adapter-test"; unmark "adapter-test"')
    assert i3.marks() == []


async def test_tree_json_is_i3s_tree(adapter: I3Adapter, xwindows: XWindows) -> None:
    xid = xwindows.open("AdapterTest", "adaptertest", "caf\u00e9")
    windows = await apoll(lambda: managed(adapter, xid), what="i3 to manage the window")
    tree = json.loads(await adapter.tree_json())
    assert tree["type"] == "root"
    assert [w.title for w in windows if w.x11_id == xid] == ["caf\u00e9"]
    assert await adapter.focused_workspace() == "1"


async def test_losing_i3_sets_lost_and_every_call_raises_not_connected(
    adapter: I3Adapter, i3: I3
) -> None:
    i3.kill()
    async with asyncio.timeout(5):
        await adapter.lost.wait()
    assert not adapter.connected
    with pytest.raises(NotConnected):
        await adapter.sync()
    with pytest.raises(NotConnected):
        await adapter.tree_json()
