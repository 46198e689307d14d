"""The outputs capability against a fake i3 port: start-up moves, one reassignment per
burst (and per detected change on sway 1.7), the cut of a long burst, dry runs, the
warnings about unknown outputs, and each project's focus. No bus, no i3."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from fake_port import FakeI3, Heard, make_manager, xterm

from harness import apoll
from i3project_dbus import outputs as capability
from i3project_dbus.manager import Manager
from i3project_dbus.model.events import Event
from i3project_dbus.model.outputs import Output, Screens, Workspace
from i3project_dbus.model.reassign import Move
from i3project_dbus.model.wmevents import OutputEvent, WorkspaceEvent

LEFT = Output("LEFT", True, rect=(0, 0, 800, 1000))
RIGHT = Output("RIGHT", True, rect=(800, 0, 800, 1000))
DOCKED = Screens(
    (LEFT, RIGHT),
    (
        Workspace("1", "LEFT", 1, visible=True, focused=True),
        Workspace("2", "RIGHT", 2, visible=True),
    ),
)
UNDOCKED = Screens(
    (LEFT, replace(RIGHT, active=False)),
    (Workspace("1", "LEFT", 1, visible=True, focused=True), Workspace("2", "LEFT", 2)),
)


@dataclass
class Desk:
    manager: Manager
    i3: FakeI3
    heard: Heard


def configure(tmp_path: Path, settings: Mapping[str, Any]) -> None:
    path = tmp_path / "config" / "i3project" / "config.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(settings))


@pytest.fixture
def settings() -> dict[str, Any]:
    return {"workspace_outputs": {"1": ["LEFT"], "2": ["RIGHT"]}}


@pytest.fixture
async def desk(tmp_path: Path, settings: dict[str, Any]) -> AsyncIterator[Desk]:
    configure(tmp_path, settings)
    manager = make_manager(tmp_path)
    heard = Heard()
    manager.add_listener(heard)
    i3 = FakeI3([xterm(1, "1"), xterm(2, "2")])
    i3.screen_state = DOCKED
    await manager.attach(i3)
    yield Desk(manager, i3, heard)
    await manager.close()


def changes(manager: Manager) -> list[Event]:
    return [e for e in manager.events.recent() if e.type == "outputs::change"]


async def test_start_moves_what_is_not_where_it_belongs(tmp_path: Path) -> None:
    configure(tmp_path, {"workspace_outputs": {"2": ["RIGHT"]}})
    manager = make_manager(tmp_path)
    i3 = FakeI3()
    i3.screen_state = replace(DOCKED, workspaces=UNDOCKED.workspaces)
    await manager.attach(i3)
    assert [r.moves for r in i3.reassignments] == [(Move("2", "RIGHT"),)]
    (change,) = changes(manager)
    assert change.details["origin"] == "start" and change.details["moves"] == "2→RIGHT"
    assert manager.outputs.screens.workspace("2").output == "RIGHT"  # type: ignore[union-attr]
    await manager.close()


async def test_nothing_to_move_at_start_is_no_event(desk: Desk) -> None:
    assert desk.i3.reassignments == [] and changes(desk.manager) == []
    assert desk.heard.named("outputs_changed")  # the first reading reached the listeners


async def test_a_burst_of_output_events_is_one_reassignment(desk: Desk) -> None:
    desk.i3.screen_state = UNDOCKED
    for _ in range(10):
        desk.manager.handle_event(OutputEvent("unspecified"))
        await asyncio.sleep(0.005)
    desk.i3.screen_state = replace(DOCKED, workspaces=UNDOCKED.workspaces)
    (change,) = await apoll(lambda: changes(desk.manager), what="the burst's reassignment")
    assert change.details["events"] == 10 and change.details["origin"] == "output"
    assert [r.moves for r in desk.i3.reassignments] == [(Move("2", "RIGHT"),)]
    assert changes(desk.manager) == [change]


async def test_a_long_burst_is_cut(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(capability, "MAX_WAIT", 0.2)
    for _ in range(12):
        desk.manager.handle_event(OutputEvent("unspecified"))
        await asyncio.sleep(0.05)
    found = await apoll(lambda: len(changes(desk.manager)) >= 2 and changes(desk.manager))
    assert sum(int(e.details["events"]) for e in found) <= 12


@pytest.mark.parametrize("change", ["init", "move", "empty"])
async def test_sway_without_output_events_notices_from_a_reading(
    tmp_path: Path, settings: dict[str, Any], change: str
) -> None:
    configure(tmp_path, settings)
    manager = make_manager(tmp_path)
    i3 = FakeI3(sway=True)
    i3.screen_state = DOCKED
    await manager.attach(i3)
    i3.screen_state = UNDOCKED
    manager.handle_event(WorkspaceEvent(change, "2"))
    (found,) = await apoll(lambda: changes(manager), what="the change noticed")
    assert (found.details["events"], found.details["seen"]) == (0, 1)
    assert found.details["moves"] == ""
    assert manager.outputs.screens == UNDOCKED
    await manager.close()


async def test_a_reading_that_only_moves_the_focus_is_no_change(desk: Desk) -> None:
    desk.i3.show("2")
    desk.manager.handle_event(WorkspaceEvent("focus", "2"))
    await apoll(lambda: desk.manager.outputs.screens.focused.name == "2")  # type: ignore[union-attr]
    await desk.manager.reassign(dry_run=True)  # under the lock: after any burst would start
    assert changes(desk.manager) == []


async def test_dry_run_moves_nothing(desk: Desk) -> None:
    desk.i3.screen_state = replace(DOCKED, workspaces=UNDOCKED.workspaces)
    assert await desk.manager.reassign(dry_run=True) == [("2", "RIGHT")]
    assert desk.i3.reassignments == [] and changes(desk.manager) == []
    assert await desk.manager.reassign(dry_run=False) == [("2", "RIGHT")]
    assert len(desk.i3.reassignments) == 1 and len(changes(desk.manager)) == 1


@pytest.mark.parametrize(
    "settings", [{"workspace_outputs": {"2": ["NOWHERE", "RIGHT"]}, "restore_focus": True}]
)
async def test_unknown_outputs_are_config_errors_until_fixed(
    desk: Desk, tmp_path: Path, settings: dict[str, Any]
) -> None:
    errors = desk.manager.state.config_errors
    assert len(errors) == 1 and "'NOWHERE'" in errors[0]
    configure(tmp_path, {"workspace_outputs": {"2": ["RIGHT"]}})
    await desk.manager.reload()
    assert desk.manager.state.config_errors == ()


async def test_each_project_gets_its_view_back(desk: Desk) -> None:
    manager, i3 = desk.manager, desk.i3
    await manager.create("a", {})
    await manager.create("b", {})
    await manager.switch("a")
    i3.show("2")  # a leaves RIGHT's workspace focused
    manager.outputs.screens = i3.screen_state
    await manager.switch("b")
    i3.show("1")
    manager.outputs.screens = i3.screen_state  # as the reading after the focus event would
    await manager.switch("a")
    (plan, window) = i3.restores[-1]
    assert plan.show == ("2",) and window is None  # 1 is shown already
    assert i3.screen_state.focused.name == "2"  # type: ignore[union-attr]


async def test_a_workspace_a_switch_made_again_goes_back_to_its_output(tmp_path: Path) -> None:
    configure(tmp_path, {"scoped_classes": ["XTerm"], "workspace_outputs": {"7": ["RIGHT"]}})
    manager = make_manager(tmp_path)
    await manager.create("a", {})
    await manager.create("b", {})
    i3 = FakeI3([xterm(1, "7", "a")])
    i3.screen_state = DOCKED
    await manager.attach(i3)
    await manager.switch("b")  # 1 hidden; workspace 7 is gone
    i3.screen_state = replace(i3.screen_state, workspaces=DOCKED.workspaces)
    manager.outputs.screens = i3.screen_state
    await manager.switch("a")  # i3 makes 7 again on the focused output, LEFT
    assert i3.reassignments[-1].moves == (Move("7", "RIGHT"),)
    assert changes(manager)[-1].details["origin"] == "switch"
    await manager.close()


def count_readings(i3: FakeI3) -> list[int]:
    """Every reading of outputs and workspaces the fake answers, counted."""
    calls: list[int] = []
    read = i3.screens

    async def counted() -> Screens:
        calls.append(1)
        return await read()

    i3.screens = counted  # type: ignore[method-assign]
    return calls


async def test_the_workspace_events_of_a_switch_make_one_reading_after_it(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A switch holds the manager's lock; its workspace events, however far apart, make
    one reading once it is done (not one per pause longer than READ_DELAY)."""
    monkeypatch.setattr(capability, "LOCK_WAIT", 30.0)
    calls = count_readings(desk.i3)
    manager = desk.manager
    async with manager._lock:
        manager.handle_event(WorkspaceEvent("empty", "3"))
        await asyncio.sleep(capability.READ_DELAY * 3)  # a pause in the switch's events
        manager.handle_event(WorkspaceEvent("init", "4"))
        assert not calls, "read while the switch ran"
    task = manager.outputs._read_task
    assert task is not None
    await asyncio.wait_for(task, 5)
    assert len(calls) == 1


async def test_a_long_hold_of_the_lock_delays_the_reading_by_lock_wait_only(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(capability, "LOCK_WAIT", 0.05)
    calls = count_readings(desk.i3)
    async with desk.manager._lock:  # a restore waiting for its apps, say
        desk.i3.show("2")
        desk.manager.handle_event(WorkspaceEvent("focus", "2"))
        await apoll(lambda: calls, what="the reading, the lock still held")
        await apoll(lambda: desk.manager.outputs.screens.focused.name == "2")  # type: ignore[union-attr]
