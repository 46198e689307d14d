"""Launching apps in projects on a real i3, with real xterms: their windows follow their
process into the project they were launched for, Open starts each app once, a missing
program changes nothing, hostile argv and environment stay data. No systemd user manager
runs here, so this is the detached path (the scope path: tests/dbus/test_launch_scope.py)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from harness import (
    I3,
    SCRATCHPAD,
    DBusDaemon,
    ServiceProcess,
    XdgDirs,
    Xvfb,
    XWindows,
    poll,
    tree_windows,
    wait_managed,
)
from harness_extra import EVENTS_IFACE, EVENTS_PATH, PROJECT_IFACE, BusError, Client
from i3project_dbus.launch import procs

PROJECTS = "/org/i3project/Manager1/projects/"


@dataclass
class Desk:
    client: Client
    i3: I3
    service: ServiceProcess
    dirs: dict[str, Path]
    # Every pid launched, killed (with its process group) at teardown.
    pids: list[int] = field(default_factory=list)

    def launch(self, project: str, argv: list[str], **options: Any) -> int:
        opts = {k: ("b", v) if isinstance(v, bool) else ("s", v) for k, v in options.items()}
        (pid,) = self.client.call("Launch", "asa{sv}", argv, opts, path=PROJECTS + project,
                                  iface=PROJECT_IFACE)  # fmt: skip
        self.pids.append(int(pid))
        return int(pid)

    def events(self, type_: str) -> list[dict[str, Any]]:
        (events,) = self.client.call("Recent", "u", 0, path=EVENTS_PATH, iface=EVENTS_IFACE)
        return [{k: v[1] for k, v in d.items()} for _i, _t, kind, d in events if kind == type_]


def write_project(dirs: XdgDirs, name: str, **fields: Any) -> None:
    projects = dirs.config / "i3project" / "projects"
    projects.mkdir(parents=True, exist_ok=True)
    (projects / f"{name}.json").write_text(json.dumps({"name": name, **fields}))


@pytest.fixture
def desk(
    bus: DBusDaemon, i3: I3, xvfb: Xvfb, dirs: XdgDirs, tmp_path: Path,
    service: Callable[..., ServiceProcess],
) -> Iterator[Desk]:  # fmt: skip
    """Projects a (active) and b, each with a directory; b with an environment. The
    service has the display, as it has in a session, for the apps it starts."""
    folders = {name: tmp_path / f"{name} dir" for name in ("a", "b", "c")}
    for folder in folders.values():
        folder.mkdir()
    write_project(dirs, "a", directory=str(folders["a"]))
    write_project(dirs, "b", directory=str(folders["b"]),
                  environment={"B_VAR": "from b", "EDITOR": "b-editor"})  # fmt: skip
    write_project(dirs, "c", directory=str(folders["c"]), launch=[
        {"name": "one", "command": ["xterm", "-class", "AppOne", "-e", "sleep", "600"],
         "workspace": "c-one"},
        {"name": "two", "command": ["xterm", "-class", "AppTwo", "-e", "sleep", "600"],
         "workspace": "c-two", "floating": True},
    ])  # fmt: skip
    svc = service(env={"DISPLAY": xvfb.display})
    client = Client(bus.address)
    client.switch("a")
    state = Desk(client, i3, svc, folders)
    yield state
    client.close()
    for pid in state.pids:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)


def window(i3: I3, wm_class: str) -> dict[str, Any] | None:
    found = [c for c in tree_windows(i3.tree())
             if (c.get("window_properties") or {}).get("class") == wm_class]  # fmt: skip
    assert len(found) <= 1, f"{len(found)} windows of class {wm_class}"
    return found[0] if found else None


def wait_window(i3: I3, wm_class: str, project: str, workspace: str) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        con = window(i3, wm_class)
        marks = con.get("marks", []) if con else []
        ok = any(m.startswith(f"project:{project}:") for m in marks) if project else not marks
        return con if con and ok and con["_workspace"] == workspace else None

    try:
        return poll(check, timeout=20, what=f"{wm_class} in {project!r} on {workspace!r}")
    except AssertionError as exc:
        raise AssertionError(f"{exc}\ni3 has: {window(i3, wm_class)}") from None


def environ_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    pairs = (item.split(b"=", 1) for item in raw.split(b"\0") if b"=" in item)
    return {k.decode(): v.decode(errors="replace") for k, v in pairs}


def test_a_window_launched_for_another_project_is_its_own_and_hidden(desk: Desk) -> None:
    pid = desk.launch("b", ["xterm", "-class", "LaunchB", "-e", "sleep", "600"])
    wait_window(desk.i3, "LaunchB", "b", SCRATCHPAD)
    assert os.readlink(f"/proc/{pid}/cwd") == str(desk.dirs["b"])
    env = environ_of(pid)
    assert env["B_VAR"] == "from b" and env["EDITOR"] == "b-editor"
    assert env["I3PROJECT_NAME"] == "b" and env["I3PROJECT_DIR"] == str(desk.dirs["b"])
    [assigned] = [e for e in desk.events("window::assign") if e.get("launch")]
    assert assigned["project"] == "b" and assigned["pid"] == pid
    assert desk.client.get("ActiveProject") == "a"
    desk.client.switch("b")
    con = wait_window(desk.i3, "LaunchB", "b", "1")
    assert con["_workspace"] != SCRATCHPAD


def test_a_window_of_a_grandchild_follows_the_launch(desk: Desk) -> None:
    # sh starts xterm in the background and exits: xterm is left to init.
    sh = desk.launch("b", ["sh", "-c", "xterm -class GrandB -e sleep 600 &"])
    wait_window(desk.i3, "GrandB", "b", SCRATCHPAD)
    found = procs.stat(sh)
    assert found is None or found.state == "Z", "sh is gone; its grandchild's window followed"


def test_the_launched_process_is_detached_and_never_a_zombie_of_the_service(
    desk: Desk,
) -> None:
    pid = desk.launch("a", ["sleep", "600"])
    found = procs.stat(pid)
    assert found is not None and found.ppid != desk.service.pid and found.session == pid
    [event] = desk.events("project::launch")
    assert event["scope"] is False and event["program"] == "sleep"
    os.kill(pid, signal.SIGKILL)
    poll(lambda: not [p for p in Path("/proc").iterdir()
                      if p.name.isdigit() and (s := procs.stat(int(p.name))) is not None
                      and s.ppid == desk.service.pid and s.state == "Z"],
         what="no zombie child of the service")  # fmt: skip


def test_launched_apps_go_to_their_workspaces(desk: Desk) -> None:
    desk.launch("a", ["xterm", "-class", "LaunchW1", "-e", "sleep", "600"], workspace="w-one")
    desk.launch("a", ["xterm", "-class", "LaunchW2", "-e", "sleep", "600"],
                workspace="w-two", floating=True)  # fmt: skip
    wait_window(desk.i3, "LaunchW1", "a", "w-one")
    con = wait_window(desk.i3, "LaunchW2", "a", "w-two")
    assert con["type"] == "floating_con" or con.get("floating") in ("user_on", "auto_on")


def test_open_twice_starts_each_app_once_on_its_own_workspace(desk: Desk) -> None:
    desk.client.call("Open", path=PROJECTS + "c", iface=PROJECT_IFACE)
    assert desk.client.get("ActiveProject") == "c"
    launches = desk.events("project::launch")
    desk.pids.extend(int(e["pid"]) for e in launches)
    assert sorted(e["app"] for e in launches) == ["one", "two"]
    desk.client.call("Open", path=PROJECTS + "c", iface=PROJECT_IFACE)
    assert len(desk.events("project::launch")) == 2, "the second Open started nothing"
    wait_window(desk.i3, "AppOne", "c", "c-one")
    wait_window(desk.i3, "AppTwo", "c", "c-two")
    desk.client.call("Open", path=PROJECTS + "c", iface=PROJECT_IFACE)
    assert len(desk.events("project::launch")) == 2, "nor a third, once the windows are up"


def test_a_missing_program_fails_and_changes_nothing(desk: Desk) -> None:
    before = desk.client.state()
    count = desk.client.get("Count", path=EVENTS_PATH, iface=EVENTS_IFACE)
    for argv in (["no-such-program-i3p", "--flag"], ["./not-here"]):
        with pytest.raises(BusError) as caught:
            desk.launch("b", argv)
        assert caught.value.name.endswith(".LaunchFailed")
        assert "[Errno 2] No such file or directory" in caught.value.message
    assert desk.client.state() == before
    assert desk.client.get("Count", path=EVENTS_PATH, iface=EVENTS_IFACE) == count


def test_hostile_argv_environment_and_workspace_are_data(
    desk: Desk, dirs: XdgDirs, tmp_path: Path
) -> None:
    canary = tmp_path / "canary"
    injections = [
        f'"]; exec touch {canary}; [class=".*',
        f"x\n]; exec touch {canary}",
        f"'; exec touch {canary}; '",
        f'\\"]; exec touch {canary}; #',
    ]
    big = "x" * 65536
    environment = {f"H{i}": value for i, value in enumerate(injections)} | {"BIG": big}
    write_project(dirs, "h", directory=str(tmp_path), environment=environment)
    desk.client.call("Reload")
    workspace = f'w"]; exec touch {canary}; ['
    script = 'exec xterm -class Hostile -T "$1" -e sleep 600'
    pid = desk.launch("h", ["sh", "-c", script, "sh", *injections, big], workspace=workspace)
    desk.client.switch("h")
    con = wait_window(desk.i3, "Hostile", "h", workspace)
    assert con["name"] == injections[0]
    env = environ_of(pid)
    assert all(env[f"H{i}"] == value for i, value in enumerate(injections))
    assert env["BIG"] == big
    assert not canary.exists(), "an i3 command was injected"


def test_other_windows_keep_the_class_rule_while_launches_run(
    desk: Desk, xwindows: XWindows
) -> None:
    desk.launch("b", ["sleep", "600"])  # a launch on record, with no window
    xid = xwindows.open("XTerm", "xterm", "mine")
    wait_managed(desk.i3, xid)

    def project_of() -> str:
        for con in tree_windows(desk.i3.tree()):
            if con["window"] == xid:
                return next((m.split(":")[1] for m in con.get("marks", [])
                             if m.startswith("project:")), "")  # fmt: skip
        return ""

    poll(lambda: project_of() == "a", timeout=10, what="the test's xterm to join a")


def test_a_launched_app_outlives_the_service(desk: Desk) -> None:
    pid = desk.launch("b", ["sleep", "600"])
    desk.service.kill()  # SIGKILL to the service's whole process group, as a crash
    found = procs.stat(pid)
    assert found is not None and found.state != "Z", "the app went down with the service"
