"""The manager's event handler, fed typed window-manager events directly: no bus, no i3."""

import logging
from pathlib import Path
from typing import cast

import pytest
from fake_port import FakeI3, make_manager, xterm

from harness.poll import apoll
from i3project_dbus.manager import Manager
from i3project_dbus.model.errors import NotConnected
from i3project_dbus.model.window import Window
from i3project_dbus.model.wmevents import (
    BindingEvent,
    ShutdownEvent,
    TickEvent,
    WindowEvent,
    WorkspaceEvent,
)


async def test_bad_events_are_logged_and_the_handler_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    manager = make_manager(tmp_path)
    await manager.create("a", {})
    manager.state.set_active("a")
    # A class the adapter never makes (None): classifying the window for the active
    # project fails inside the handler.
    broken = Window(7, wm_class=cast(str, None))
    with caplog.at_level(logging.ERROR):
        manager.handle_event(WindowEvent("new", 7, broken))
    assert "error handling i3 window event" in caplog.text
    assert manager.events.recent(1)[0].details == {"error": "handler failed"}
    manager.handle_event(WindowEvent("new", 8, xterm(8, "")))
    manager.handle_event(WindowEvent("title", 8, Window(8, wm_class="XTerm", title="renamed")))
    assert manager.state.windows[8].title == "renamed"
    manager.handle_event(WindowEvent("close", 8, manager.state.windows[8]))
    assert 8 not in manager.state.windows
    types = [e.type for e in manager.events.recent()]
    assert types[-3:] == ["window::new", "window::title", "window::close"]
    await manager.close()


async def test_events_are_timed_and_the_ring_stays_bounded(tmp_path: Path) -> None:
    manager = make_manager(tmp_path)
    for i in range(2000):
        manager.handle_event(TickEvent(payload=f"p{i}", first=False))
    assert len(manager.events) == manager.events.capacity == 500
    assert manager.events.count == 2000
    assert manager.events.recent(1)[0].details == {"payload": "p1999"}
    await manager.close()


async def test_each_kind_of_event_is_recorded_with_its_details(tmp_path: Path) -> None:
    manager = make_manager(tmp_path)
    manager.handle_event(TickEvent(payload="", first=True))  # i3's answer to subscribing
    manager.handle_event(WorkspaceEvent("focus", "3"))
    manager.handle_event(BindingEvent("run", "exec xterm"))
    manager.handle_event(ShutdownEvent("restart"))
    recorded = [(e.type, dict(e.details)) for e in manager.events.recent()]
    assert recorded == [
        ("workspace::focus", {"workspace": "3"}),
        ("binding::run", {"command": "exec xterm"}),
        ("shutdown::restart", {}),
    ]
    await manager.close()


def switches(manager: Manager) -> list[tuple[object, object]]:
    return [
        (e.details["current"], e.details["origin"])
        for e in manager.events.recent()
        if e.type in ("project::switch", "project::clear")
    ]


async def test_ticks_of_the_earlier_design_switch(tmp_path: Path) -> None:
    manager = make_manager(tmp_path)
    await manager.create("a", {})
    await manager.attach(FakeI3([xterm(1, "1", "a")]))
    manager.handle_event(TickEvent(payload="project:a", first=False))
    await apoll(lambda: switches(manager) == [("a", "tick")], what="the switch to a")
    manager.handle_event(TickEvent(payload="project:none", first=False))
    await apoll(lambda: len(switches(manager)) == 2, what="the clear")
    assert switches(manager)[-1] == ("", "tick") and manager.state.active == ""
    await manager.close()


async def test_calls_needing_i3_fail_typed_when_disconnected(tmp_path: Path) -> None:
    manager = make_manager(tmp_path)
    await manager.create("a", {})
    with pytest.raises(NotConnected):
        await manager.switch("a")
    with pytest.raises(NotConnected):
        await manager.tree_json()
    assert manager.state.active == ""
    await manager.close()
