"""What a restore does with each saved window, and where each goes."""

from __future__ import annotations

import pytest

from i3project_dbus.model.captured import Capture, CapturedWindow, Screen
from i3project_dbus.model.errors import InvalidArgument
from i3project_dbus.model.placing import Floating
from i3project_dbus.model.rebuild import Slot, Split
from i3project_dbus.model.restore_plan import (
    LAUNCHED,
    MOVED,
    SKIPPED,
    RestoreOptions,
    check_restore_options,
    placing,
    plan_restore,
)
from i3project_dbus.model.restore_settings import LayoutSettings
from i3project_dbus.model.snapshot import PathStep, SavedWindow, Snapshot
from i3project_dbus.model.window import Window


def saved(n: int, **kw: object) -> SavedWindow:
    base: dict[str, object] = dict(
        x11_id=100 + n,
        token=f"t{n}",
        wm_class="XTerm",
        instance="xterm",
        title=f"term {n}",
        role="",
        workspace="2",
        output="LEFT",
        floating=False,
        rect=None,
        path=(PathStep("splith", n, 2, 0.3 if n == 0 else 0.7),),
        argv=("xterm",),
        cwd=f"/src/{n}",
        focused=n == 1,
    )
    base.update(kw)
    return SavedWindow(**base)  # type: ignore[arg-type]


def snapshot(*windows: SavedWindow) -> Snapshot:
    return Snapshot("a", "last", "", "i3 4.22", windows)


def test_options_are_checked() -> None:
    assert check_restore_options({}) == RestoreOptions(True, False, 10_000)
    assert check_restore_options({"dry_run": True, "timeout": 500}).timeout_ms == 500
    for bad in ({"dry_run": 1}, {"timeout": True}, {"timeout": 0}, {"colour": "red"}):
        with pytest.raises(InvalidArgument):
            check_restore_options(bad)


def test_open_windows_are_matched_by_token_first_and_the_rest_relaunched() -> None:
    snap = snapshot(
        saved(0),
        saved(1),
        saved(2, argv=("sudo", "vim"), path=(), floating=True),
        saved(3, wm_class="Code", argv=(), path=(), floating=True),
        saved(4, argv=(), title="not ours", path=(), floating=True),
        saved(5, argv=("htop",), path=(), floating=True),
    )
    windows = [
        Window(7, "XTerm", "xterm", "renamed", marks=("project:a:t1",)),
        Window(8, "XTerm", "xterm", "term 0", marks=("project:b:t0",)),  # another project's
    ]
    settings = LayoutSettings(exclude=("htop",), commands={"Code": ("code", "$PROJECT_DIR")})
    plan = plan_restore(snap, windows, settings, RestoreOptions())
    assert {i: w.id for i, w in plan.matched.items()} == {1: 7}
    assert [(r.window, r.argv, r.cwd) for r in plan.relaunch] == [
        (0, ("xterm",), "/src/0"),
        (3, ("code", "$PROJECT_DIR"), "/src/3"),
    ]
    assert "sudo" in plan.skipped[2] and "htop" in plan.skipped[5]
    assert "no command" in plan.skipped[4]
    results = [o.as_tuple() for o in plan.outcomes({0: Window(9)}, {3: "code: not found"})]
    assert results[0] == ("1 XTerm: term 0", LAUNCHED, "window 9")
    assert results[1] == ("2 XTerm: term 1", MOVED, "window 7")
    assert results[3] == ("4 Code: term 3", SKIPPED, "code: not found")
    no_launch = plan_restore(snap, windows, settings, RestoreOptions(launch_missing=False))
    assert not no_launch.relaunch and "launch_missing" in no_launch.skipped[0]
    planned = [o.action for o in no_launch.outcomes({}, {})]
    assert planned == [SKIPPED, MOVED, SKIPPED, SKIPPED, SKIPPED, SKIPPED]


def captured(window: Window, tiled: bool = True) -> CapturedWindow:
    path = (PathStep("splith", 0, 1, 1.0),) if tiled else ()
    return CapturedWindow(window, path, "", 0)


def test_placing_maps_outputs_and_finds_crowded_workspaces() -> None:
    snap = snapshot(
        saved(0),
        saved(1),
        saved(2, workspace="3", floating=True, path=(), rect=(10, 20, 300, 200)),
        saved(3, workspace="4", output="GONE", floating=True, path=(), rect=(1, 2, 3, 4)),
        saved(4, workspace="5", output="RIGHT", path=()),
    )
    here = {i: Window(10 + i) for i in range(5)}
    capture = Capture(
        (
            captured(Window(10, workspace="1")),
            captured(Window(99, workspace="2")),  # stays there
            captured(Window(98, workspace="5"), tiled=False),
        ),
        (Screen("LEFT", (0, 0, 800, 600)), Screen("RIGHT", (800, 0, 800, 600))),
        (("1", "LEFT"), ("2", "LEFT"), ("5", "LEFT")),
    )
    got = placing(snap, here, capture)
    assert got.trees["2"] == Split("splith", 1.0, (Slot(0, 0.3), Slot(1, 0.7)))
    assert got.trees["5"] == Split("splith", 1.0, (Slot(4, 1.0),))
    assert list(got.floating) == [
        Floating(2, "3", (10, 20, 300, 200)),
        Floating(3, "4", (1, 2, 3, 4), centre=True),  # its output is gone
    ]
    assert got.crowded == {"2"}
    assert dict(got.outputs) == {"3": "LEFT"}  # 5 exists already; GONE does not
    assert got.focus == 1
