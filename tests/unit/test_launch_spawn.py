"""Launching real processes, the path without systemd (and with a fake of its scopes):
directory, environment, argv as data, detached and never a zombie, errors that leave
nothing running. No bus and no i3: the processes are real, the windows are not."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import apoll, poll
from i3project_dbus.launch import Launcher, launcher, procs, spawn
from i3project_dbus.model.errors import InvalidArgument, LaunchFailed
from i3project_dbus.model.launch import LaunchOptions
from i3project_dbus.model.project import Project
from i3project_dbus.model.window import Window

# Writes what the process sees to argv[1]: its argv, cwd, environment, session, parent.
REPORT = (
    "import json, os, sys\n"
    "json.dump({'argv': sys.argv[2:], 'cwd': os.getcwd(), 'env': dict(os.environ),\n"
    "  'sid': os.getsid(0), 'pid': os.getpid(), 'ppid': os.getppid(),\n"
    "  'stdin': os.readlink('/proc/self/fd/0')},\n"
    "  open(sys.argv[1] + '.tmp', 'w'))\n"
    "os.rename(sys.argv[1] + '.tmp', sys.argv[1])\n"
)
HOSTILE = [
    'it\'s "quoted"',
    "]; exec touch /tmp/canary [",
    "a\nnew line",
    "$(touch canary) `id` ; | & > <",
    "x" * 65536,
    "",
]


def gone(pid: int) -> bool:
    found = procs.stat(pid)
    return found is None or found.state == "Z"


def trampolines() -> set[int]:
    """Processes still running the launch trampoline (held, never exec'd)."""
    found = set()
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                cmdline = Path(f"/proc/{name}/cmdline").read_bytes()
            except OSError:
                continue
            if spawn.TRAMPOLINE.encode() in cmdline and not gone(int(name)):
                found.add(int(name))
    return found


def children() -> set[int]:
    """This process's children now, zombies included."""
    found = set()
    for name in os.listdir("/proc"):
        stat = procs.stat(int(name)) if name.isdigit() else None
        if stat is not None and stat.ppid == os.getpid():
            found.add(int(name))
    return found


# Children the test process had before this test (the session's Xvfb, or a process an
# earlier test left for its fixture to reap): not the launches' to answer for.
_BEFORE: set[int] = set()


@pytest.fixture(autouse=True)
def _children_before() -> None:
    _BEFORE.clear()
    _BEFORE.update(children())


def no_children() -> bool:
    """No child this test made is a zombie or a trampoline: launches left nothing behind."""
    for pid in children() - _BEFORE:
        found = procs.stat(pid)
        if found is not None and (found.state == "Z" or pid in trampolines()):
            return False
    return True


@pytest.fixture
def project(tmp_path: Path) -> Project:
    directory = tmp_path / "web project"
    directory.mkdir()
    return Project.from_json(
        {
            "name": "web",
            "directory": str(directory),
            "environment": {"NODE_ENV": "development", "HOSTILE": HOSTILE[1] + HOSTILE[2]},
        }
    )


@pytest.fixture
def base_env(tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "NOTIFY_SOCKET": "/run/user/0/systemd/notify",
        "SERVICE_ONLY": "kept",
    }


@pytest.fixture
def started() -> Iterator[list[int]]:
    """Pids the test launched; killed at teardown if still there."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        if not gone(pid):
            os.kill(pid, signal.SIGKILL)


def read_report(path: Path) -> dict[str, object]:
    poll(path.exists, timeout=15, what=f"{path.name} from the launched process")
    data: dict[str, object] = json.loads(path.read_text())
    return data


async def test_launch_runs_in_the_project_with_its_environment_and_argv_as_data(
    project: Project, base_env: dict[str, str], tmp_path: Path, started: list[int]
) -> None:
    out = tmp_path / "report.json"
    launch = Launcher(base_env)
    argv = [sys.executable, "-c", REPORT, str(out), "$PROJECT_NAME in $PROJECT_DIR", *HOSTILE]
    record = (await launch.launch(argv, project, LaunchOptions("2", True))).record
    started.append(record.pid)
    seen = read_report(out)
    assert seen["argv"] == [f"web in {project.directory}", *HOSTILE]
    assert seen["cwd"] == project.directory
    env = seen["env"]
    assert isinstance(env, dict)
    assert env["NODE_ENV"] == "development" and env["HOSTILE"] == HOSTILE[1] + HOSTILE[2]
    assert env["I3PROJECT_NAME"] == "web" and env["I3PROJECT_DIR"] == project.directory
    assert env["SERVICE_ONLY"] == "kept" and "NOTIFY_SOCKET" not in env
    # Detached: its own session, not our child, stdin from /dev/null.
    assert seen["pid"] == record.pid == seen["sid"]
    assert seen["ppid"] != os.getpid() and seen["stdin"] == "/dev/null"
    assert (record.project, record.workspace, record.floating) == ("web", "2", True)
    assert record.start_ticks > 0 and launch.records.get(record.pid) == record
    assert not (tmp_path / "canary").exists() and not Path("/tmp/canary").exists()
    poll(no_children, what="no child of ours left, zombie or not")


async def test_the_program_gets_the_signal_dispositions_a_shell_gives(
    project: Project, base_env: dict[str, str], tmp_path: Path, started: list[int]
) -> None:
    # Python ignores SIGPIPE and SIGXFSZ, and ignored signals survive exec: the
    # trampoline must not hand that on (sh itself changes neither).
    out = tmp_path / "sigign"
    # The program itself reads its own masks: sh execs grep, which inherits them (a shell
    # that forks would show its own mask of that moment, all blocked in dash).
    script = 'exec grep -E "^Sig(Ign|Blk)" /proc/self/status > "$0"'
    record = (await Launcher(base_env).launch(["sh", "-c", script, str(out)], project)).record
    started.append(record.pid)
    poll(lambda: out.exists() and out.read_text().count("\n") == 2, timeout=15, what="masks")
    masks = dict(line.split(":") for line in out.read_text().splitlines())
    ignored, blocked = int(masks["SigIgn"], 16), int(masks["SigBlk"], 16)
    assert not ignored & (1 << (signal.SIGPIPE - 1) | 1 << (signal.SIGXFSZ - 1))
    assert blocked == 0


async def test_each_launch_warms_up_the_pid_reader(
    project: Project, base_env: dict[str, str], started: list[int]
) -> None:
    calls: list[int] = []
    launch = Launcher(base_env, warm_up=lambda: calls.append(1))
    started.append((await launch.launch(["sleep", "60"], project)).record.pid)
    assert calls == [1]
    with pytest.raises(LaunchFailed):
        await launch.launch(["no-such-program-i3p"], project)
    assert calls == [1]


async def test_without_a_project_it_runs_at_home(
    base_env: dict[str, str], tmp_path: Path, started: list[int]
) -> None:
    out = tmp_path / "none.json"
    record = (
        await Launcher(base_env).launch([sys.executable, "-c", REPORT, str(out)], None)
    ).record
    started.append(record.pid)
    seen = read_report(out)
    assert seen["cwd"] == str(tmp_path) and record.project == ""
    env = seen["env"]
    assert isinstance(env, dict)
    assert env["I3PROJECT_NAME"] == "" and env["I3PROJECT_DIR"] == str(tmp_path)


async def test_a_relative_program_is_found_in_the_project_directory(
    project: Project, base_env: dict[str, str], started: list[int]
) -> None:
    tool = Path(project.directory) / "tool.sh"
    tool.write_text("#!/bin/sh\ntouch ran\n")
    tool.chmod(0o755)
    record = (await Launcher(base_env).launch(["./tool.sh"], project)).record
    started.append(record.pid)
    poll((Path(project.directory) / "ran").exists, timeout=15, what="tool.sh to run")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["no-such-program-i3p"], r"\[Errno 2\] No such file or directory"),
        (["./missing"], r"\[Errno 2\] No such file or directory"),
        (["./notes.txt"], r"\[Errno 13\] Permission denied"),
        (["notes.txt"], r"\[Errno 2\] No such file"),  # not in PATH, wherever it is
        (["/"], r"\[Errno 21\] Is a directory"),
    ],
)
async def test_a_program_that_cannot_run_fails_before_any_process(
    argv: list[str], message: str, project: Project, base_env: dict[str, str]
) -> None:
    (Path(project.directory) / "notes.txt").write_text("not a program\n")
    before = trampolines()
    launch = Launcher(base_env)
    with pytest.raises(LaunchFailed, match=message):
        await launch.launch(argv, project)
    assert len(launch.records) == 0 and trampolines() <= before


async def test_an_exec_failure_is_reported_and_leaves_nothing(
    project: Project, base_env: dict[str, str]
) -> None:
    # Executable, but no format the kernel knows: only exec itself can tell.
    garbage = Path(project.directory) / "garbage"
    garbage.write_bytes(b"\x00\x01 not a program\n")
    garbage.chmod(0o755)
    launch = Launcher(base_env)
    with pytest.raises(LaunchFailed, match=r"\[Errno 8\] Exec format error"):
        await launch.launch([str(garbage)], project)
    assert len(launch.records) == 0
    poll(lambda: not trampolines(), what="the held process to exit")
    poll(no_children, what="no child of ours left")


async def test_a_missing_project_directory_fails(base_env: dict[str, str], tmp_path: Path) -> None:
    project = Project("gone", directory=str(tmp_path / "nowhere"))
    with pytest.raises(LaunchFailed, match=r"project directory.*No such file"):
        await Launcher(base_env).launch(["true"], project)
    (tmp_path / "file").write_text("")
    with pytest.raises(LaunchFailed, match="Not a directory"):
        await Launcher(base_env).launch(["true"], Project("f", directory=str(tmp_path / "file")))


def test_prepare_checks_everything_and_starts_nothing(
    project: Project, base_env: dict[str, str]
) -> None:
    before = trampolines()
    ready = Launcher(base_env).prepare(["sh", "-c", "echo $PROJECT_NAME", "$PROJECT_DIR"], project)
    assert ready.project == "web" and ready.directory == project.directory
    assert ready.program.endswith("/sh") and os.access(ready.program, os.X_OK)
    assert ready.argv == ("sh", "-c", "echo web", project.directory)
    assert ready.env["I3PROJECT_NAME"] == "web" and "NOTIFY_SOCKET" not in ready.env
    with pytest.raises(LaunchFailed):
        Launcher(base_env).prepare(["no-such-program-i3p"], project)
    assert trampolines() <= before


async def test_bad_argv_is_invalid(project: Project, base_env: dict[str, str]) -> None:
    for argv in ([], [""], ["x\0y"]):
        with pytest.raises(InvalidArgument):
            await Launcher(base_env).launch(argv, project)


class FakeScopes:
    """systemd's scopes as the launcher sees them, recording what the process was then."""

    def __init__(self, available: bool = True, result: bool = True) -> None:
        self.is_available = available
        self.result = result
        self.calls: list[tuple[str, int, str, bytes]] = []
        self.block = asyncio.Event()
        self.blocking = False

    async def available(self) -> bool:
        return self.is_available

    async def start(self, unit: str, pid: int, description: str) -> bool:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        self.calls.append((unit, pid, description, cmdline))
        if self.blocking:
            await self.block.wait()
        return self.result


async def test_the_process_is_held_before_exec_while_its_scope_is_made(
    project: Project, base_env: dict[str, str], tmp_path: Path, started: list[int]
) -> None:
    scopes = FakeScopes()
    out = tmp_path / "scoped.json"
    argv = [sys.executable, "-c", REPORT, str(out)]
    launched = await Launcher(base_env, scopes).launch(argv, project)
    record = launched.record
    assert launched.scoped and launched.argv == tuple(argv)
    started.append(record.pid)
    [(unit, pid, description, cmdline)] = scopes.calls
    assert unit == f"app-i3project-web-{record.pid}.scope" and pid == record.pid
    assert "web" in description
    assert spawn.TRAMPOLINE.encode() in cmdline, "still the trampoline: not exec'd yet"
    assert read_report(out)["pid"] == record.pid


async def test_a_failed_scope_still_runs_the_app_and_no_systemd_means_no_call(
    project: Project, base_env: dict[str, str], tmp_path: Path, started: list[int]
) -> None:
    for scopes in (FakeScopes(result=False), FakeScopes(available=False)):
        out = tmp_path / f"{id(scopes)}.json"
        assert not (await Launcher(base_env, scopes).launch(["true"], project)).scoped
        record = (
            await Launcher(base_env, scopes).launch(
                [sys.executable, "-c", REPORT, str(out)], project
            )
        ).record
        started.append(record.pid)
        assert read_report(out)["pid"] == record.pid
        assert len(scopes.calls) == (2 if scopes.is_available else 0)


async def test_a_launch_cancelled_while_held_never_runs_the_program(
    project: Project, base_env: dict[str, str], tmp_path: Path
) -> None:
    scopes = FakeScopes()
    scopes.blocking = True
    launch = Launcher(base_env, scopes)
    marker = tmp_path / "ran"
    task = asyncio.ensure_future(launch.launch(["touch", str(marker)], project))
    await apoll(lambda: scopes.calls, timeout=15, what="the scope call")
    pid = scopes.calls[0][1]
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await apoll(lambda: gone(pid), timeout=15, what="the held process to exit")
    assert not marker.exists() and len(launch.records) == 0


async def test_windows_follow_the_launch_even_from_an_orphaned_grandchild(
    project: Project, base_env: dict[str, str], tmp_path: Path, started: list[int]
) -> None:
    pidfile = tmp_path / "grandchild"
    launch = Launcher(base_env)
    # sh leaves sleep to init and exits: only the session ties sleep to the launch.
    record = (
        await launch.launch(
            ["sh", "-c", f"sleep 60 & echo $! > '{pidfile}.tmp'; mv '{pidfile}.tmp' '{pidfile}'"],
            project,
        )
    ).record
    poll(pidfile.exists, timeout=15, what="the grandchild's pid")
    grandchild = int(pidfile.read_text())
    started.append(grandchild)
    poll(lambda: gone(record.pid), timeout=15, what="sh to exit")
    assert await launch.launch_of(Window(1, pid=grandchild)) == record
    assert launch.records.launch_of(1) == record
    assert await launch.launch_of(Window(2, pid=os.getpid())) is None
    # A window that carries no pid asks the window-pid reader.
    asked: list[int] = []

    async def reader(window: Window) -> int:
        asked.append(window.id)
        return grandchild

    launch.window_pid = reader
    assert await launch.launch_of(Window(3, x11_id=77)) == record and asked == [3]
    launch.window_closed(3)
    assert launch.records.launch_of(3) is None
    assert await launch.sweep() == []
    os.kill(grandchild, signal.SIGKILL)
    poll(lambda: gone(grandchild), what="the grandchild to die")
    assert await launch.sweep() == [record]


async def test_no_lookup_at_all_while_nothing_was_launched(base_env: dict[str, str]) -> None:
    async def reader(window: Window) -> int:
        raise AssertionError("read a pid with no launch recorded")

    assert await Launcher(base_env, window_pid=reader).launch_of(Window(1, x11_id=5)) is None


def test_scope_names_and_directories() -> None:
    assert launcher.scope_name("web", 42) == "app-i3project-web-42.scope"
    assert launcher.scope_name("", 42) == "app-i3project-42.scope"
    env = {"HOME": "/home/u"}
    assert launcher.project_directory(None, env) == "/home/u"
    assert launcher.project_directory(Project("p"), env) == "/home/u"
    assert launcher.project_directory(Project("p", directory="~/src/p"), env) == "/home/u/src/p"
    assert launcher.project_directory(Project("p", directory="src"), env) == "/home/u/src"
    assert launcher.project_directory(Project("p", directory="/srv"), env) == "/srv"
