"""The crash-recovery record: what is remembered, how it is read back, what is planned."""

import json
from pathlib import Path

from i3project_dbus.model.marks import assignment_mark, restore_mark
from i3project_dbus.model.recovery import (
    Remembered,
    memory_from_json,
    memory_to_json,
    plan_recovery,
    remember,
)
from i3project_dbus.model.window import SCRATCHPAD, Window
from i3project_dbus.recovering import x_server


def test_hidden_windows_are_remembered_where_they_were() -> None:
    shown = Window(1, x11_id=11, workspace="2", marks=(assignment_mark("a", "b"),))
    hidden = Window(
        2,
        x11_id=22,
        workspace=SCRATCHPAD,
        floating=True,
        marks=(assignment_mark("b", "c"), restore_mark("c", True, "3", (1, 2, 30, 40))),
    )
    unassigned = Window(3, x11_id=33, workspace="1")
    sway_native = Window(4, x11_id=0, workspace="1", marks=(assignment_mark("a", "d"),))
    memory = remember([shown, hidden, unassigned, sway_native])
    assert memory == {
        11: Remembered("a", "b", "2", False, None),
        22: Remembered("b", "c", "3", True, (1, 2, 30, 40)),
    }


def test_json_round_trip_and_tolerance() -> None:
    memory = {
        11: Remembered("a", "b", "2", False, None),
        22: Remembered("b", "c", "3", True, (1, 2, 3, 4)),
    }
    assert memory_from_json(json.loads(json.dumps(memory_to_json(memory)))) == memory
    data = memory_to_json(memory)
    data["windows"]["x"] = {}
    data["windows"]["33"] = {"project": 3}
    assert memory_from_json(data) == memory
    assert memory_from_json({"version": 99, "windows": data["windows"]}) == {}
    assert memory_from_json([1, 2]) == {}


def test_plan_recovers_unmarked_windows_of_existing_projects() -> None:
    memory = {
        11: Remembered("a", "b", "2", False, None),
        22: Remembered("gone", "c", "3", False, None),
        33: Remembered("a", "d", "1", False, None),
    }
    adopted = Window(1, x11_id=11, workspace="1")
    of_deleted_project = Window(2, x11_id=22, workspace="1")
    still_marked = Window(3, x11_id=33, workspace="1", marks=(assignment_mark("a", "d"),))
    stranger = Window(4, x11_id=44, workspace="1")
    plan = plan_recovery([adopted, of_deleted_project, still_marked, stranger], memory, {"a", "b"})
    assert [(r.window.id, r.remembered.project) for r in plan] == [(1, "a")]


def test_recovery_marks_come_back_and_inactive_windows_hide_where_they_were() -> None:
    from i3project_dbus.i3 import commands
    from i3project_dbus.model.recovery import Recovery, recovery_plan

    adopted_a = Window(1, x11_id=11, workspace="1")
    adopted_b = Window(2, x11_id=22, workspace="1", floating=True, rect=(0, 0, 5, 5))
    recovered = [
        Recovery(adopted_a, Remembered("a", "b", "2", False, None)),
        Recovery(adopted_b, Remembered("b", "c", "3", True, (1, 2, 30, 40))),
    ]
    marks, plan = recovery_plan(recovered, {1: "b", 2: "c"}, active="a")
    assert marks == [(adopted_a, assignment_mark("a", "b")), (adopted_b, assignment_mark("b", "c"))]
    [hide] = plan.hide
    assert hide.window.project == "b" and not plan.show
    assert hide.mark == restore_mark("c", True, "3", (1, 2, 30, 40))  # not workspace 1
    payload = commands.join([*(commands.mark(w, m) for w, m in marks), commands.switch(plan)])
    assert payload.startswith('[id=11] mark --add "project:a:b"; [id=22] mark --add "project:b:c"')
    assert '[id=22] mark --add "_i3p_restore:c:1,1,2,30,40:3"' in payload


def test_recovery_snapshot_takes_last_where_it_agrees_with_the_record() -> None:
    from i3project_dbus.model.recovery import Recovery, recovery_snapshot
    from i3project_dbus.model.snapshot import PathStep, SavedWindow, Snapshot

    step = (PathStep("splith", 1, 2, 0.6),)
    old = SavedWindow(11, "old", "XTerm", "", "t", "", "2", "L", False, None, step, (), "", True)
    moved = SavedWindow(22, "", "XTerm", "", "u", "", "5", "L", False, None, step, (), "", False)
    last = Snapshot("a", "last", "", "", (old, moved))
    recovered = [
        Recovery(Window(1, x11_id=11), Remembered("a", "b", "2", False, None)),
        Recovery(Window(2, x11_id=22, title="u"), Remembered("a", "c", "3", False, None)),
        Recovery(Window(3, x11_id=33), Remembered("a", "d", "4", True, (1, 2, 3, 4))),
    ]
    snap = recovery_snapshot("a", recovered, last)
    first, second, third = snap.windows
    assert first.path == step and first.token == "b" and first.focused
    assert (second.workspace, second.path, second.token) == ("3", (), "c")  # the record wins
    assert third.floating and third.rect == (1, 2, 3, 4)
    assert recovery_snapshot("a", recovered, None).name == "recovery"


def test_a_window_of_another_class_or_x_server_is_not_taken_for_a_remembered_one() -> None:
    # The next login's X server hands out the same ids: its first terminal is no hidden
    # window of the last session.
    memory = {
        11: Remembered("a", "b", "2", False, None, "XTerm", "xterm", "0:5:100"),
        22: Remembered("a", "c", "2", False, None, "XTerm", "xterm", "0:5:100"),
    }
    same = Window(1, x11_id=11, workspace="1", wm_class="XTerm", instance="xterm")
    other_class = Window(2, x11_id=22, workspace="1", wm_class="Firefox", instance="Navigator")
    windows = [same, other_class]
    assert [r.window.id for r in plan_recovery(windows, memory, {"a"}, "0:5:100")] == [1]
    assert plan_recovery(windows, memory, {"a"}, "0:6:200") == []
    # Unknown on either side: the class and instance decide.
    assert [r.window.id for r in plan_recovery(windows, memory, {"a"}, "")] == [1]
    round_trip = memory_from_json(json.loads(json.dumps(memory_to_json(memory))))
    assert round_trip == memory


def test_the_x_server_is_known_by_its_socket_when_local() -> None:
    assert x_server("remote.example:0") == ""
    assert x_server(None) == ""
    assert x_server(":987654") == ""  # no such server
    live = sorted(Path("/tmp/.X11-unix").glob("X*")) if Path("/tmp/.X11-unix").is_dir() else []
    if live:
        number = live[0].name[1:]
        assert x_server(f":{number}") == x_server(f":{number}.0") != ""
