"""Assignment and focus against a fake i3 port: new windows marked for the active project,
assign and unassign, focus of a hidden window. No bus, no i3."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fake_port import FakeI3, make_manager, xterm

from harness.poll import apoll
from i3project_dbus.manager import Manager
from i3project_dbus.model.errors import NoSuchProject, NoSuchWindow
from i3project_dbus.model.window import SCRATCHPAD
from i3project_dbus.model.wmevents import WindowEvent


@dataclass
class Desk:
    manager: Manager
    i3: FakeI3


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    """Projects a (active) and b; a1 of a, b1 of b (hidden), an unassigned xterm."""
    manager = make_manager(tmp_path)
    await manager.create("a", {})
    await manager.create("b", {})
    i3 = FakeI3([xterm(1, "1", "a"), xterm(3, "1", "b"), xterm(4, "2")])
    await manager.attach(i3)
    await manager.switch("a")
    yield Desk(manager, i3)
    await manager.close()


def appear(desk: Desk, con_id: int, wm_class: str = "XTerm") -> None:
    """A window opens on workspace 1: i3 has it, and says so in a window::new event."""
    desk.i3.tree[con_id] = xterm(con_id, "1", wm_class=wm_class)
    desk.manager.handle_event(WindowEvent("new", con_id, xterm(con_id, "", wm_class=wm_class)))


async def test_a_new_window_of_a_scoped_class_joins_the_active_project(desk: Desk) -> None:
    manager = desk.manager
    appear(desk, 20, "firefox")  # global: stays unassigned
    appear(desk, 21)
    await apoll(lambda: manager.state.windows[21].project == "a", what="the new xterm marked")
    assert manager.state.windows[20].project == ""
    mark = manager.state.windows[21].assignment_marks[0]
    assert any(f'mark --add "{mark}"' in c for c in desk.i3.commands)
    assigned = [e for e in manager.events.recent() if e.type == "window::assign"]
    assert len(assigned) == 1
    details = assigned[0].details
    assert details["con_id"] == 21 and details["project"] == "a" and details["auto"] is True
    assert {"processing_us", "i3_us"} <= set(details)


async def test_no_new_window_is_marked_while_no_project_is_active(desk: Desk) -> None:
    await desk.manager.switch("")
    appear(desk, 22)
    assert not desk.manager.assignment.wants(22)
    await desk.manager.switch("")  # anything queued for the lock has run by now
    assert desk.manager.state.windows[22].project == ""


async def test_assign_and_unassign(desk: Desk) -> None:
    manager = desk.manager
    await manager.assign(4, "b")
    window = manager.state.windows[4]
    assert window.project == "b" and window.hidden, "b is not active: the window goes"
    assert desk.i3.tree[4].workspace == SCRATCHPAD
    mark = window.assignment_marks[0]
    await manager.assign(4, "")
    window = manager.state.windows[4]
    assert window.project == "" and window.workspace == "2", "unassigned: it comes back"
    assert any(f'unmark "{mark}"' in c for c in desk.i3.commands)
    assigned = [dict(e.details) for e in manager.events.recent() if e.type == "window::assign"]
    assert assigned == [
        {"con_id": 4, "project": "b", "auto": False},
        {"con_id": 4, "project": "", "auto": False},
    ]


async def test_assign_refuses_an_unknown_project_or_window(desk: Desk) -> None:
    sent = len(desk.i3.commands)
    with pytest.raises(NoSuchProject):
        await desk.manager.assign(4, "nope")
    with pytest.raises(NoSuchWindow):
        await desk.manager.assign(999, "a")
    assert len(desk.i3.commands) == sent


async def test_focus_brings_a_hidden_window_back_with_its_project(desk: Desk) -> None:
    manager = desk.manager
    await manager.focus(3)
    assert manager.state.active == "b"
    assert manager.state.windows[3].workspace == "1"
    assert desk.i3.commands[-1].endswith(" focus")
    last = [e for e in manager.events.recent() if e.type == "project::switch"][-1]
    assert last.details["origin"] == "focus"
