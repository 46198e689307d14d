"""The manager's event handler, fed i3 event bodies directly: no bus, no i3."""

import logging
from pathlib import Path

import pytest

from i3project_dbus.config import Store
from i3project_dbus.manager import Manager
from i3project_dbus.model.errors import NotConnected


def make(tmp_path: Path) -> Manager:
    store = Store(environ={"XDG_CONFIG_HOME": str(tmp_path / "c"),
                           "XDG_STATE_HOME": str(tmp_path / "s")})  # fmt: skip
    manager = Manager(store, store.load_settings())
    manager.load()
    return manager


def window_event(change: str, con_id: int, **container: object) -> dict[str, object]:
    node = {"id": con_id, "type": "con", "window": con_id + 1000, "name": "t",
            "window_properties": {"class": "XTerm", "instance": "xterm"}, "marks": []}  # fmt: skip
    node.update(container)
    return {"change": change, "container": node}


async def test_bad_events_are_logged_and_the_handler_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    manager = make(tmp_path)
    with caplog.at_level(logging.ERROR):
        manager.handle_event("window", {"change": "new", "container": {"id": "not a number"}})
        manager.handle_event("window", {"change": "title", "container": None})
    assert "error handling i3 window event" in caplog.text
    manager.handle_event("window", window_event("new", 7))
    manager.handle_event("window", window_event("title", 7, name="renamed"))
    assert manager.state.windows[7].title == "renamed"
    manager.handle_event("window", window_event("close", 7))
    assert 7 not in manager.state.windows
    types = [e.type for e in manager.events.recent()]
    assert types[-3:] == ["window::new", "window::title", "window::close"]
    await manager.close()


async def test_events_are_timed_and_the_ring_stays_bounded(tmp_path: Path) -> None:
    manager = make(tmp_path)
    for i in range(2000):
        manager.handle_event("tick", {"first": False, "payload": f"p{i}"})
    assert len(manager.events) == manager.events.capacity == 500
    assert manager.events.count == 2000
    assert manager.events.recent(1)[0].details == {"payload": "p1999"}
    await manager.close()


async def test_calls_needing_i3_fail_typed_when_disconnected(tmp_path: Path) -> None:
    manager = make(tmp_path)
    await manager.create("a", {})
    with pytest.raises(NotConnected):
        await manager.switch("a")
    assert manager.state.active == ""
    await manager.close()
