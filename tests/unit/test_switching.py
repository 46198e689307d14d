"""Switching against a fake i3 port: the plan executed, the retry, the restore at attach, and
no-op switches recorded as nothing. No bus, no i3."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from fake_port import FakeI3, Heard, make_manager, project_types, store_in, xterm

from harness.poll import apoll
from i3project_dbus.i3.commands import STAGING_WORKSPACE
from i3project_dbus.manager import Manager
from i3project_dbus.model.errors import I3CommandFailed
from i3project_dbus.model.layout import Forest
from i3project_dbus.model.layout_switch import LayoutSwitch
from i3project_dbus.model.window import SCRATCHPAD
from i3project_dbus.model.wmevents import WindowEvent
from i3project_dbus.switching import ATTEMPTS


@dataclass
class Desk:
    manager: Manager
    i3: FakeI3
    heard: Heard


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    """Projects a and b; a1 and a2 of a, b1 of b, an unassigned xterm and a browser."""
    manager = make_manager(tmp_path)
    await manager.create("a", {})
    await manager.create("b", {})
    heard = Heard()
    manager.add_listener(heard)
    i3 = FakeI3(
        [
            xterm(1, "1", "a"),
            xterm(2, "2", "a"),
            xterm(3, "1", "b"),
            xterm(4, "1"),
            xterm(5, "1", wm_class="firefox"),
        ]
    )
    await manager.attach(i3)
    yield Desk(manager, i3, heard)
    await manager.close()


def placement(manager: Manager) -> dict[int, str]:
    return {w.id: w.workspace for w in manager.state.windows.values()}


def store_in_state(manager: Manager) -> str:
    return manager.projects.store.load_active()


async def test_a_switch_hides_the_other_projects_and_brings_its_own_back(desk: Desk) -> None:
    manager = desk.manager
    await manager.switch("a")
    assert [h.window.id for h in desk.i3.plans[-1].hide] == [3]
    assert placement(manager) == {1: "1", 2: "2", 3: SCRATCHPAD, 4: "1", 5: "1"}
    assert manager.state.windows[3].hidden and manager.state.active == "a"
    await manager.switch("b")
    assert placement(manager) == {1: SCRATCHPAD, 2: SCRATCHPAD, 3: "1", 4: "1", 5: "1"}
    assert desk.i3.tree[3].workspace == "1", "the command went to i3"
    events = [e for e in manager.events.recent() if e.type == "project::switch"]
    assert [dict(e.details) for e in events] == [
        {"previous": "", "current": "a", "origin": "dbus", "hidden": 1, "shown": 0},
        {"previous": "a", "current": "b", "origin": "dbus", "hidden": 2, "shown": 1},
    ]
    assert desk.heard.named("switched") == [("", "a"), ("a", "b")]
    await manager.switch("")
    assert placement(manager) == {1: "1", 2: "2", 3: "1", 4: "1", 5: "1"}
    assert project_types(manager)[-1] == "project::clear"
    assert store_in_state(manager) == ""


def steps(heard: Heard, since: int) -> list[str]:
    wanted = ("switch_started", "active_changed", "switched", "switch_ended")
    return [name for name, _ in heard.calls[since:] if name in wanted]


async def test_a_switch_is_one_step_for_the_listeners_until_its_barrier_is_back(
    desk: Desk,
) -> None:
    since, syncs = len(desk.heard.calls), desk.i3.syncs
    await desk.manager.switch("a")
    await apoll(lambda: "switch_ended" in steps(desk.heard, since), what="the switch to end")
    assert steps(desk.heard, since) == [
        "switch_started",
        "active_changed",
        "switched",
        "switch_ended",
    ]
    assert desk.i3.syncs == syncs + 1, "it ended with the barrier after its command"
    # One that moves nothing ends at once; one that fails ends too.
    since = len(desk.heard.calls)
    await desk.manager.switch("a")
    assert steps(desk.heard, since) == ["switch_started", "switch_ended"]
    since = len(desk.heard.calls)
    desk.i3.failures += [f"refused {n + 1} times" for n in range(ATTEMPTS)]
    with pytest.raises(I3CommandFailed):
        await desk.manager.switch("b")
    await apoll(lambda: "switch_ended" in steps(desk.heard, since), what="the failed one to end")
    assert steps(desk.heard, since) == ["switch_started", "switch_ended"]


async def test_a_refused_plan_is_made_again_from_a_fresh_tree(desk: Desk) -> None:
    # b's second window closed behind the model's back, and i3 refuses that part.
    desk.manager.state.put_window(xterm(6, "1", "b"))
    desk.i3.failures.append("No window matches given criteria")
    await desk.manager.switch("a")
    assert len(desk.i3.plans) == 2
    assert [h.window.id for h in desk.i3.plans[-1].hide] == [3]
    assert 6 not in desk.manager.state.windows
    assert desk.manager.state.active == "a"
    assert project_types(desk.manager) == ["project::switch"]


async def test_a_plan_refused_twice_is_made_a_third_time(desk: Desk) -> None:
    desk.i3.failures += ["No window matches given criteria", "again"]
    await desk.manager.switch("a")
    assert len(desk.i3.plans) == 3
    assert desk.manager.state.active == "a"
    assert project_types(desk.manager) == ["project::switch"]


async def test_refused_every_time_for_a_window_that_closed_the_switch_is_done(
    desk: Desk,
) -> None:
    """Windows opened and closed quickly can make i3 refuse every attempt. After the last
    one the switch reads the tree: if nothing is left to do, it is done, not an error."""
    desk.i3.failures += ["No window matches given criteria"] * ATTEMPTS
    real = desk.i3.run

    async def closing(command: str) -> None:
        if len(desk.i3.failures) == 1:
            desk.i3.tree.pop(3, None)  # b1 closed under the last attempt
        await real(command)

    desk.i3.run = closing  # type: ignore[method-assign]
    await desk.manager.switch("a")
    assert desk.manager.state.active == "a" and 3 not in desk.manager.state.windows
    desk.i3.failures += ["No window matches given criteria"] * ATTEMPTS
    with pytest.raises(I3CommandFailed):  # refused every time with work left: an error
        await desk.manager.switch("b")


async def test_a_switch_that_changes_nothing_records_nothing(desk: Desk) -> None:
    manager = desk.manager
    await manager.switch("a")
    commands, recorded = len(desk.i3.commands), len(manager.events)
    await manager.switch("a")
    assert len(desk.i3.commands) == commands, "nothing to move"
    assert len(manager.events) == recorded, "a switch to the active project is no event"
    assert desk.heard.named("switched") == [("", "a")]


async def test_a_clear_with_nothing_active_records_nothing(desk: Desk) -> None:
    manager = desk.manager
    # An assignment ends in a switch to the active project: here none, a clear of none.
    await manager.assign(4, "")
    await manager.switch("")
    assert project_types(manager) == []
    assert [e.type for e in manager.events.recent()][-1] == "window::assign"


async def test_a_switch_to_the_active_project_that_moves_windows_is_recorded(desk: Desk) -> None:
    manager = desk.manager
    await manager.switch("a")
    # A window of b appeared on a's workspace (another client marked it, say).
    desk.i3.tree[7] = xterm(7, "1", "b")
    manager.handle_event(WindowEvent("new", 7, xterm(7, "", "b")))
    await manager.switch("a")
    assert manager.state.windows[7].hidden
    last = manager.events.recent(1)[0]
    assert last.type == "project::switch" and last.details["hidden"] == 1
    assert desk.heard.named("switched") == [("", "a")], "the active project did not change"


async def test_attach_restores_the_persisted_project(tmp_path: Path) -> None:
    before = make_manager(tmp_path)
    await before.create("a", {})
    await before.create("b", {})
    await before.close()
    store_in(tmp_path).save_active("b")
    manager = make_manager(tmp_path)
    i3 = FakeI3([xterm(1, "1", "a"), xterm(3, "2", "b")])
    await manager.attach(i3)
    assert manager.state.active == "b"
    assert i3.tree[1].workspace == SCRATCHPAD and i3.tree[3].workspace == "2"
    last = manager.events.recent(1)[0]
    assert last.type == "project::switch" and last.details["origin"] == "start"
    await manager.close()


async def test_a_floating_window_is_hidden_with_the_geometry_i3_has_now(desk: Desk) -> None:
    manager = desk.manager
    desk.i3.tree[8] = xterm(8, "1", "b", floating=True, rect=(50, 60, 400, 300))
    manager.handle_event(WindowEvent("new", 8, xterm(8, "", "b", floating=True)))
    await manager.switch("b")
    # Dragged by the user since: no event tells where to, so the switch reads the tree.
    desk.i3.tree[8] = xterm(8, "1", "b", floating=True, rect=(70, 80, 400, 300))
    await manager.switch("a")
    restore = manager.state.windows[8].restore
    assert restore is not None and restore.rect == (70, 80, 400, 300)


async def test_a_gathering_that_i3_refuses_in_part_still_lets_the_switch_run(
    tmp_path: Path,
) -> None:
    """Two of a's windows beside a global one make a bundle (model/units.py); i3 refuses
    part of the gathering command (a window closed since the tree was read). The switch
    plans again from the tree read after it and runs: nothing is left behind."""
    manager = make_manager(tmp_path)
    await manager.create("a", {})
    await manager.create("b", {})
    i3 = FakeI3([xterm(1, "1", "a"), xterm(2, "1", wm_class="firefox"), xterm(3, "1", "a")])
    await manager.attach(i3)
    try:
        await manager.switch("a")
        i3.failures.append("No window matches the criteria")
        await manager.switch("b")
        gather = [c for c in i3.commands if c.startswith("gather")]
        assert gather == ["gather 1"], i3.commands
        assert placement(manager) == {1: SCRATCHPAD, 2: "1", 3: SCRATCHPAD}
        assert manager.state.active == "b"
    finally:
        await manager.close()


class LeavesOneOnStaging(FakeI3):
    """i3 refusing part of a layout payload after it staged a window (the neighbour the
    window was to go after closed in between)."""

    async def run_layout(self, switch: LayoutSwitch, forest: Forest) -> None:
        if not self.failures:
            await super().run_layout(switch, forest)
            return
        returning = [n.con_id for r in switch.returning for n in r.root.windows()]
        self.tree[returning[0]] = replace(
            self.tree[returning[0]],
            workspace=STAGING_WORKSPACE,
            floating=False,
            scratchpad_window=False,
        )
        await self.run("the payload")


@pytest.fixture
async def staged(tmp_path: Path) -> AsyncIterator[tuple[Manager, LeavesOneOnStaging]]:
    """a1 on workspace 3 beside a browser, b3 on 1; b active, so a1 is hidden."""
    manager = make_manager(tmp_path)
    await manager.create("a", {})
    await manager.create("b", {})
    i3 = LeavesOneOnStaging(
        [xterm(1, "3", "a"), xterm(2, "3", wm_class="firefox"), xterm(3, "1", "b")]
    )
    await manager.attach(i3)
    await manager.switch("b")
    yield manager, i3
    await manager.close()


async def test_a_window_a_refused_payload_left_on_staging_goes_to_its_workspace(
    staged: tuple[Manager, LeavesOneOnStaging],
) -> None:
    manager, i3 = staged
    i3.failures.append("No window matches the criteria")
    await manager.switch("a")
    rescue = [c for c in i3.commands if "move container to workspace" in c and "[id=" in c]
    assert any(c.endswith('move container to workspace "3"') for c in rescue), i3.commands


async def test_a_window_on_staging_that_closes_before_its_rescue_fails_nothing(
    staged: tuple[Manager, LeavesOneOnStaging],
) -> None:
    """The rescue of a window left on staging is refused (it closed meanwhile): the
    switch goes on and is done (found by the churn test with bundles: the refusal came
    out of the switch as its error)."""
    manager, i3 = staged
    i3.failures += ["No window matches the criteria", "Nothing to move"]
    await manager.switch("a")
    assert manager.state.active == "a"
