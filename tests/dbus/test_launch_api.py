"""The launch members of the D-Bus contract, with no i3: Manager1.Launch, Project.Launch,
Project.Open, the Launched signal and the project::launch event, and their errors. A
process needs no window manager to start; Open needs one to switch first."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from dbus_contract import Client
from dbus_fast import Variant

from harness import MANAGER_PATH, DBusDaemon, ServiceProcess, XdgDirs, apoll, clean_env
from i3project_dbus.launch import procs

MANAGER = "org.i3project.Manager1"
PROJECT = "org.i3project.Manager1.Project"
EVENTS = "org.i3project.Manager1.Events"
EVENTS_PATH = MANAGER_PATH + "/events"
WEB_PATH = MANAGER_PATH + "/projects/web"
ERROR = "org.i3project.Manager1.Error."


@pytest.fixture
def web_dir(dirs: XdgDirs, tmp_path: Path) -> Path:
    """Project web, with a directory and an environment, written before the service starts."""
    directory = tmp_path / "web dir"
    directory.mkdir()
    projects = dirs.config / "i3project" / "projects"
    projects.mkdir(parents=True)
    data = {
        "name": "web",
        "directory": str(directory),
        "environment": {"WEB_MODE": "dev"},
        "launch": [{"name": "shell", "command": ["sh", "-c", "sleep 60"]}],
    }
    (projects / "web.json").write_text(json.dumps(data))
    return directory


def writer(out: Path) -> list[str]:
    """A program that writes its project, directory and argv to ``out``, then waits."""
    script = 'printf "%s|%s|%s|%s" "$I3PROJECT_NAME" "$PWD" "$WEB_MODE" "$1" > "$0.tmp"'
    return ["sh", "-c", script + '; mv "$0.tmp" "$0"; sleep 60', str(out), "$PROJECT_NAME!"]


def kill(pid: int) -> None:
    found = procs.stat(pid)
    if found is not None and found.state != "Z":
        os.kill(pid, 9)


async def test_project_launch_runs_there_and_tells_everyone(
    web_dir: Path, start_bare_service: Callable[[], ServiceProcess], client: Client,
    tmp_path: Path,
) -> None:  # fmt: skip
    start_bare_service()
    out = tmp_path / "out"
    options = {"workspace": Variant("s", "2: code"), "floating": Variant("b", True)}
    pid = await client.ok(WEB_PATH, PROJECT, "Launch", "asa{sv}", writer(out), options)
    try:
        await apoll(out.exists, timeout=15, what="the launched program's report")
        assert out.read_text() == f"web|{web_dir}|dev|web!"
        signal = await client.wait_signal("Launched")
        assert signal.path == MANAGER_PATH
        assert signal.body == ["web", pid, [*writer(out)[:-1], "web!"]]
        events = await client.ok(EVENTS_PATH, EVENTS, "Recent", "u", 0)
        [launch] = [e for e in events if e[2] == "project::launch"]
        details = {k: v.value for k, v in launch[3].items()}
        assert details["project"] == "web" and details["pid"] == pid
        assert details["program"] == "sh" and details["app"] == ""
        assert details["workspace"] == "2: code" and details["floating"] is True
        assert details["scope"] is False  # no systemd user manager on this bus
    finally:
        kill(pid)


async def test_manager_launch_without_an_active_project_runs_at_home(
    dirs: XdgDirs, start_bare_service: Callable[[], ServiceProcess], client: Client,
    tmp_path: Path,
) -> None:  # fmt: skip
    service = start_bare_service()
    out = tmp_path / "out"
    pid = await client.ok(MANAGER_PATH, MANAGER, "Launch", "asa{sv}", writer(out), {})
    try:
        await apoll(out.exists, timeout=15, what="the launched program's report")
        home = os.environ.get("HOME", "")
        assert out.read_text() == f"|{home}||!"
        found = procs.stat(pid)
        assert found is not None and found.ppid != service.pid, "not the service's child"
    finally:
        kill(pid)


@pytest.mark.parametrize(
    ("argv", "options", "error", "message"),
    [
        ([], {}, "InvalidArgument", "empty"),
        ([""], {}, "InvalidArgument", "the program, is empty"),
        (["true"], {"workspace": Variant("u", 2)}, "InvalidArgument", "must have type 's'"),
        (["true"], {"floating": Variant("s", "yes")}, "InvalidArgument", "must have type 'b'"),
        (["true"], {"output": Variant("s", "HDMI-1")}, "InvalidArgument", "unknown option"),
        (["true"], {"workspace": Variant("s", "")}, "InvalidArgument", "non-empty"),
        (["true"], {"workspace": Variant("s", "__i3_scratch")}, "InvalidArgument", "i3's own"),
        (["no-such-program-i3p"], {}, "LaunchFailed", "[Errno 2] No such file or directory"),
        (["./no-such-file"], {}, "LaunchFailed", "[Errno 2] No such file or directory"),
    ],
)
async def test_bad_launches_fail_by_name_and_change_nothing(
    argv: list[str], options: dict[str, Variant], error: str, message: str, web_dir: Path,
    start_bare_service: Callable[[], ServiceProcess], client: Client,
) -> None:  # fmt: skip
    start_bare_service()
    count = await client.get(EVENTS_PATH, EVENTS, "Count")
    for path, iface in ((WEB_PATH, PROJECT), (MANAGER_PATH, MANAGER)):
        name, text = await client.error(path, iface, "Launch", "asa{sv}", argv, options)
        assert name == ERROR + error and message in text
    assert await client.get(EVENTS_PATH, EVENTS, "Count") == count
    assert not client.matching("Launched")


async def test_open_needs_i3_and_starts_nothing_without_it(
    web_dir: Path, start_bare_service: Callable[[], ServiceProcess], client: Client,
) -> None:  # fmt: skip
    start_bare_service()
    name, _ = await client.error(WEB_PATH, PROJECT, "Open")
    assert name == ERROR + "NotConnected"
    assert not client.matching("Launched")


async def test_open_with_an_app_that_cannot_run_fails_before_anything(
    dirs: XdgDirs, start_bare_service: Callable[[], ServiceProcess], client: Client,
) -> None:  # fmt: skip
    projects = dirs.config / "i3project" / "projects"
    projects.mkdir(parents=True)
    data = {"name": "p", "launch": [{"name": "gone", "command": ["no-such-program-i3p"]}]}
    (projects / "p.json").write_text(json.dumps(data))
    start_bare_service()
    name, text = await client.error(MANAGER_PATH + "/projects/p", PROJECT, "Open")
    assert name == ERROR + "LaunchFailed" and "no-such-program-i3p" in text
    assert await client.get(MANAGER_PATH, MANAGER, "ActiveProject") == ""


# -- the command line: i3project run and open ------------------------------------------

SRC = Path(__file__).resolve().parents[2] / "src"


def cli(bus: DBusDaemon, *args: str) -> subprocess.CompletedProcess[str]:
    env = clean_env({"DBUS_SESSION_BUS_ADDRESS": bus.address})
    env["PYTHONPATH"] = str(SRC)
    return subprocess.run([sys.executable, "-m", "i3project_dbus.cli", *args], env=env,
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip


async def test_i3project_run_and_open_with_their_exit_codes(
    bus: DBusDaemon, web_dir: Path, start_bare_service: Callable[[], ServiceProcess],
    client: Client, tmp_path: Path,
) -> None:  # fmt: skip
    start_bare_service()
    out = tmp_path / "out"
    done = cli(bus, "run", "-p", "web", "--workspace", "2", "--floating", "--", *writer(out))
    assert done.returncode == 0, done.stderr
    pid = int(done.stdout)
    try:
        await apoll(out.exists, timeout=15, what="the program i3project run started")
        assert out.read_text() == f"web|{web_dir}|dev|web!"
        events = await client.ok(EVENTS_PATH, EVENTS, "Recent", "u", 0)
        [launch] = [e for e in events if e[2] == "project::launch"]
        assert launch[3]["workspace"].value == "2" and launch[3]["floating"].value is True
    finally:
        kill(pid)
    missing = cli(bus, "run", "--", "no-such-program-i3p")
    assert missing.returncode == 1 and "LaunchFailed" in missing.stderr
    assert "[Errno 2]" in missing.stderr
    assert cli(bus, "run").returncode == 3
    assert cli(bus, "run", "-p", "nope", "--", "true").returncode == 3
    assert cli(bus, "open", "nope").returncode == 3
    assert cli(bus, "run", "--workspace", "__i3_scratch", "--", "true").returncode == 3
