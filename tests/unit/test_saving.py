"""A project's snapshot from a tree read: what is kept, what is left out, and that the
file reads back whatever the windows hold."""

import json

from i3project_dbus.model.captured import CapturedWindow
from i3project_dbus.model.marks import assignment_mark, restore_mark
from i3project_dbus.model.saving import snapshot_of
from i3project_dbus.model.snapshot import PathStep, from_json, to_json
from i3project_dbus.model.window import SCRATCHPAD, Window


def test_a_snapshot_keeps_places_commands_and_focus_and_reads_back() -> None:
    hostile = 'x"]; exec touch /tmp/canary\n\0' + "y" * 5000
    tiled = Window(
        1, "XTerm", "xterm", hostile, "2", "L", focused=True, x11_id=11,
        marks=(assignment_mark("a", "t1"),),
    )  # fmt: skip
    floating = Window(
        2, "XTerm", "xterm", "f", "3", "L", floating=True, rect=(1, 2, 3, 4), x11_id=22,
        marks=(assignment_mark("a", "t2"),),
    )  # fmt: skip
    other = Window(3, "XTerm", "xterm", "o", "2", "L", marks=(assignment_mark("b", "t3"),))
    hidden = Window(
        4, "XTerm", "xterm", "h", SCRATCHPAD, floating=True, x11_id=44,
        marks=(assignment_mark("a", "t4"), restore_mark("t4", False, "5")),
    )  # fmt: skip
    captured = [
        CapturedWindow(tiled, (PathStep("none", 0, 1, 1.0),), "role", 0),
        CapturedWindow(floating, (), "", 0),
        CapturedWindow(other, (PathStep("splith", 1, 2, 0.5),), "", 0),
    ]
    processes = {
        1: (("xterm", "-T", "a"), "/src/a"),
        2: (("sudo", "xterm"), "/src/b"),
        4: (tuple(str(i) for i in range(300)), "/src/c"),
    }
    snap = snapshot_of("a", "last", captured, [hidden], processes, ["vim"], "now", "i3 4.22")
    first, second, third = snap.windows
    assert first.argv == ("xterm", "-T", "a") and first.cwd == "/src/a" and first.focused
    assert first.path == (PathStep("splith", 0, 1, 1.0),) and first.role == "role"
    assert "\0" not in first.title and len(first.title) == 4096 and first.token == "t1"
    assert second.argv == () and second.floating and second.rect == (1, 2, 3, 4)
    assert (third.workspace, third.path, third.argv) == ("5", (), ())
    again = from_json(json.loads(json.dumps(to_json(snap))), "a", "last")
    assert again == snap
