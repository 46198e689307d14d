"""Edge cases found in review, each once a way to strand or misplace a window: a user
moving a window right after a switch, a peek with "scratchpad show", unassigning or
deleting while windows are hidden, Reload removing the active project, a forged mark."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import pytest

from harness import (
    BUS_NAME,
    I3,
    MANAGER_IFACE,
    MANAGER_PATH,
    SCRATCHPAD,
    DBusDaemon,
    ServiceProcess,
    XdgDirs,
    XWindows,
    busctl,
    busctl_rc,
    find_window,
    poll,
    wait_managed,
)

WINDOW_IFACE = MANAGER_IFACE + ".Window"


def call(bus: DBusDaemon, method: str, *args: str) -> str:
    return busctl(bus.address, "call", BUS_NAME, MANAGER_PATH, MANAGER_IFACE, method, *args)


def state(bus: DBusDaemon) -> dict[str, Any]:
    out = busctl(bus.address, "--json=short", "call", BUS_NAME, MANAGER_PATH, MANAGER_IFACE,
                 "GetState")  # fmt: skip
    return json.loads(json.loads(out)["data"][0])  # type: ignore[no-any-return]


def model(bus: DBusDaemon, xid: int) -> dict[str, Any]:
    return next(w for w in state(bus)["windows"] if w["x11_id"] == xid)


def where(i3: I3, xid: int) -> str:
    con = find_window(i3.tree(), xid)
    assert con is not None, f"window {xid:#x} is gone"
    return str(con["_workspace"])


def open_assigned(bus: DBusDaemon, i3: I3, xwindows: XWindows, project: str, title: str) -> int:
    xid = xwindows.open("XTerm", "xterm", title)
    wait_managed(i3, xid)
    poll(lambda: model(bus, xid)["project"] == project, what=f"{title} assigned to {project}")
    return xid


@pytest.fixture
def started(bus: DBusDaemon, service: Callable[..., ServiceProcess]) -> ServiceProcess:
    proc = service()
    for name in ("a", "b", "c"):
        call(bus, "CreateProject", "sa{sv}", name, "0")
    return proc


def test_a_window_moved_right_after_a_switch_comes_back_where_it_was_moved(
    bus: DBusDaemon, i3: I3, xwindows: XWindows, started: ServiceProcess
) -> None:
    call(bus, "SwitchProject", "s", "a")
    x = open_assigned(bus, i3, xwindows, "a", "moved")
    call(bus, "SwitchProject", "s", "b")
    call(bus, "SwitchProject", "s", "a")  # x was among the windows this switch moved
    i3.command(f"[id={x}] move container to workspace 3")
    # The move is the user's: the model must follow it (it once took it for its own).
    poll(lambda: model(bus, x)["workspace"] == "3", what="the model to see the move")
    call(bus, "SwitchProject", "s", "b")
    call(bus, "SwitchProject", "s", "a")
    poll(lambda: where(i3, x) == "3", what="the window back on workspace 3")


def test_a_peeked_window_is_hidden_again_by_the_next_switch(
    bus: DBusDaemon, i3: I3, xwindows: XWindows, started: ServiceProcess
) -> None:
    call(bus, "SwitchProject", "s", "a")
    x = open_assigned(bus, i3, xwindows, "a", "peeked")
    call(bus, "SwitchProject", "s", "b")
    poll(lambda: where(i3, x) == SCRATCHPAD, what="hidden")
    i3.command(f"[id={x}] scratchpad show")
    poll(lambda: not model(bus, x)["hidden"], what="the model to see the peek")
    call(bus, "SwitchProject", "s", "c")
    poll(lambda: where(i3, x) == SCRATCHPAD, what="hidden again in c")
    call(bus, "SwitchProject", "s", "a")
    poll(lambda: where(i3, x) == "1", what="back where it was before the peek")
    con = find_window(i3.tree(), x)
    assert con is not None and con["floating"] in ("auto_off", "user_off")


def test_unassigning_a_hidden_window_brings_it_back(
    bus: DBusDaemon, i3: I3, xwindows: XWindows, started: ServiceProcess
) -> None:
    call(bus, "SwitchProject", "s", "a")
    x = open_assigned(bus, i3, xwindows, "a", "unassigned")
    call(bus, "SwitchProject", "s", "b")
    poll(lambda: where(i3, x) == SCRATCHPAD, what="hidden")
    path = f"{MANAGER_PATH}/windows/{model(bus, x)['id']}"
    busctl(bus.address, "call", BUS_NAME, path, WINDOW_IFACE, "AssignProject", "s", "")
    poll(lambda: where(i3, x) == "1", what="the unassigned window shown")
    assert model(bus, x)["project"] == ""


def test_refused_delete_changes_nothing(
    bus: DBusDaemon, i3: I3, xwindows: XWindows, dirs: XdgDirs,
    service: Callable[..., ServiceProcess],
) -> None:  # fmt: skip
    projects = dirs.config / "i3project" / "projects"
    projects.mkdir(parents=True)
    real = dirs.config / "m-from-the-nix-store.json"
    real.write_text('{"name": "m"}')
    os.symlink(real, projects / "m.json")
    service()
    call(bus, "SwitchProject", "s", "m")
    x = open_assigned(bus, i3, xwindows, "m", "managed")
    rc, _, err = busctl_rc(bus.address, "call", BUS_NAME, MANAGER_PATH, MANAGER_IFACE,
                           "DeleteProject", "s", "m")  # fmt: skip
    assert rc != 0 and "symlink" in err
    s = state(bus)
    assert s["active_project"] == "m" and [p["name"] for p in s["projects"]] == ["m"]
    con = find_window(i3.tree(), x)
    assert con is not None and any(m.startswith("project:m:") for m in con["marks"])


def test_reload_that_removes_the_active_project_shows_its_windows(
    bus: DBusDaemon, i3: I3, xwindows: XWindows, dirs: XdgDirs, started: ServiceProcess
) -> None:
    call(bus, "SwitchProject", "s", "a")
    xa = open_assigned(bus, i3, xwindows, "a", "a one")
    call(bus, "SwitchProject", "s", "b")
    xb = open_assigned(bus, i3, xwindows, "b", "b one")
    poll(lambda: where(i3, xa) == SCRATCHPAD, what="a hidden")
    (dirs.config / "i3project" / "projects" / "b.json").unlink()
    call(bus, "Reload")
    assert state(bus)["active_project"] == ""
    poll(lambda: where(i3, xa) == "1", what="a's window shown: no project is active")
    # b's window belongs to no project now: a switch never hides it again.
    call(bus, "SwitchProject", "s", "a")
    call(bus, "SwitchProject", "s", "c")
    assert where(i3, xb) == "1"
    assert where(i3, xa) == SCRATCHPAD


def test_a_forged_restore_mark_never_strands_a_window(
    bus: DBusDaemon, i3: I3, xwindows: XWindows, started: ServiceProcess
) -> None:
    call(bus, "SwitchProject", "s", "a")
    good = open_assigned(bus, i3, xwindows, "a", "good")
    forged = open_assigned(bus, i3, xwindows, "a", "forged")
    call(bus, "SwitchProject", "s", "b")
    poll(lambda: where(i3, forged) == SCRATCHPAD, what="hidden")
    con = find_window(i3.tree(), forged)
    assert con is not None
    mark = next(m for m in con["marks"] if m.startswith("_i3p_restore:"))
    # i3 refuses to move anything to a workspace whose name starts with "__".
    i3.command(f'[id={forged}] unmark "{mark}", mark --add "_i3p_restore:zz:0:__bad"')
    poll(lambda: model(bus, forged)["marks"][-1].endswith("__bad"), what="the model sees it")
    call(bus, "SwitchProject", "s", "a")
    poll(lambda: where(i3, good) == "1", what="the good window back")
    assert where(i3, forged) != "i3project-staging"
    assert not [w for w in i3.workspaces() if w["name"] == "i3project-staging"]
