"""The i3project CLI as users run it: a subprocess against the real service, bus and i3.

Every subcommand, --json parsed, plain output for pipes, and the exit codes: 0 ok,
1 error, 2 service unreachable, 3 invalid input.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from harness import (
    BUS_NAME,
    I3,
    MANAGER_IFACE,
    MANAGER_PATH,
    DBusDaemon,
    ServiceProcess,
    XdgDirs,
    XWindows,
    busctl,
    busctl_rc,
    clean_env,
    poll,
    wait_managed,
)

SRC = Path(__file__).resolve().parents[2] / "src"
CLI = [sys.executable, "-m", "i3project_dbus.cli"]
OK, ERROR, UNREACHABLE, INVALID = 0, 1, 2, 3
TITLES = ("alpha-term", "beta-term", "browser")


def cli_env(address: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = clean_env({"DBUS_SESSION_BUS_ADDRESS": address, **(extra or {})})
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH", "")) if p)
    env.pop("NO_COLOR", None)
    return env


def run(
    address: str, *args: str, env: Mapping[str, str] | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], env=cli_env(address, env), capture_output=True, text=True,
        timeout=timeout, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip


def ok(address: str, *args: str) -> str:
    proc = run(address, *args)
    assert proc.returncode == OK, f"i3project {' '.join(args)}: {proc.returncode}\n{proc.stderr}"
    return proc.stdout


def as_json(address: str, *args: str) -> Any:
    return json.loads(ok(address, *args, "--json"))


def active(bus: DBusDaemon) -> str:
    out = busctl(bus.address, "get-property", BUS_NAME, MANAGER_PATH, MANAGER_IFACE,
                 "ActiveProject")  # fmt: skip
    return str(json.loads(out.split(" ", 1)[1]))


def assigned(address: str, title: str, project: str) -> bool:
    return any(w["title"] == title and w["project"] == project for w in as_json(address, "windows"))


@pytest.fixture
def world(
    bus: DBusDaemon, i3: I3, xwindows: XWindows, service: Callable[..., ServiceProcess]
) -> dict[str, Any]:
    """The service with projects alpha (an xterm) and beta (a urxvt), and a global browser."""
    svc = service()
    a = bus.address
    ok(a, "create", "alpha", "--display-name", "Alpha Project", "--icon", "A")
    ok(a, "create", "beta")
    ok(a, "switch", "alpha")
    term = xwindows.open("XTerm", "xterm", "alpha-term")
    browser = xwindows.open("firefox", "Navigator", "browser")
    wait_managed(i3, term)
    wait_managed(i3, browser)
    poll(lambda: assigned(a, "alpha-term", "alpha"), what="the xterm assigned to alpha")
    ok(a, "switch", "beta")
    urxvt = xwindows.open("URxvt", "urxvt", "beta-term")
    wait_managed(i3, urxvt)
    poll(lambda: assigned(a, "beta-term", "beta"), what="the urxvt assigned to beta")
    ok(a, "switch", "alpha")
    return {"bus": bus, "address": a, "service": svc, "i3": i3}


def window(address: str, title: str) -> dict[str, Any]:
    found: dict[str, Any] = next(w for w in as_json(address, "windows") if w["title"] == title)
    return found


# --- switching ---------------------------------------------------------------------------


def test_switch_current_and_clear(world: dict[str, Any]) -> None:
    a, bus = world["address"], world["bus"]
    assert ok(a, "current") == "alpha\n"
    assert not window(a, "alpha-term")["hidden"]
    assert window(a, "beta-term")["hidden"]

    assert ok(a, "switch", "beta") == ""
    assert active(bus) == "beta"
    assert ok(a, "current") == "beta\n"
    assert window(a, "alpha-term")["hidden"]
    assert not window(a, "beta-term")["hidden"]
    assert not window(a, "browser")["hidden"]

    assert ok(a, "clear") == ""
    assert active(bus) == ""
    assert ok(a, "current") == "\n"
    assert not any(w["hidden"] for w in as_json(a, "windows") if w["title"] in TITLES)
    assert as_json(a, "current") == {"active_project": "", "project": None}


def test_current_json_describes_the_project(world: dict[str, Any]) -> None:
    data = as_json(world["address"], "current")
    assert data["active_project"] == "alpha"
    assert data["project"]["display_name"] == "Alpha Project"
    assert data["project"]["icon"] == "A"
    assert data["project"]["windows"] == 1


# --- queries -----------------------------------------------------------------------------


def test_list_plain_names_and_json(world: dict[str, Any]) -> None:
    a = world["address"]
    rows = [line.split("\t") for line in ok(a, "list").splitlines()]
    # beta has no display name: the name stands in, as D-Bus DisplayName does.
    assert [r[:3] for r in rows] == [["*", "alpha", "Alpha Project"], ["-", "beta", "beta"]]
    assert ok(a, "list", "--names").split() == ["alpha", "beta"]
    projects = as_json(a, "list")
    assert [(p["name"], p["active"], p["windows"]) for p in projects] == [
        ("alpha", True, 1),
        ("beta", False, 1),
    ]


def test_show_plain_and_json(world: dict[str, Any]) -> None:
    a = world["address"]
    fields = dict(line.split("\t", 1) for line in ok(a, "show", "alpha").splitlines())
    assert fields["display name"] == "Alpha Project"
    assert fields["active"] == "yes"
    data = as_json(a, "show", "beta")
    assert data["name"] == "beta"
    assert data["active"] is False
    assert [w["title"] for w in data["windows"]] == ["beta-term"]


def test_windows_plain_json_and_project_filter(world: dict[str, Any]) -> None:
    a = world["address"]
    # Only our windows: i3 may briefly report a window of an earlier test still closing.
    windows = [w for w in as_json(a, "windows") if w["title"] in TITLES]
    assert {w["title"]: (w["project"], w["scope"]) for w in windows} == {
        "alpha-term": ("alpha", "scoped"),
        "browser": ("", "global"),
        "beta-term": ("beta", "scoped"),
    }
    assert [w["title"] for w in as_json(a, "windows", "--project", "beta")] == ["beta-term"]
    lines = ok(a, "windows", "--project", "alpha").splitlines()
    assert len(lines) == 1
    assert lines[0].split("\t")[1:5] == ["XTerm", "alpha-term", "1", "alpha"]


def test_create_show_delete(world: dict[str, Any], tmp_path: Path) -> None:
    a = world["address"]
    out = ok(a, "create", "gamma", "--directory", str(tmp_path), "--icon", "G",
             "--display-name", "Gamma", "--scoped", "Emacs", "--scoped", "Code")  # fmt: skip
    assert out.strip() == f"{MANAGER_PATH}/projects/gamma"
    data = as_json(a, "show", "gamma")
    assert data["directory"] == str(tmp_path)
    assert data["scoped_classes"] == ["Emacs", "Code"]
    assert (data["display_name"], data["icon"]) == ("Gamma", "G")
    assert "gamma" in ok(a, "list", "--names").split()
    created = as_json(a, "create", "delta")
    assert created == {"name": "delta", "path": f"{MANAGER_PATH}/projects/delta"}

    assert ok(a, "delete", "gamma") == ""
    assert "gamma" not in ok(a, "list", "--names").split()
    assert run(a, "show", "gamma").returncode == INVALID


def test_assign_by_id_focused_and_unassign(world: dict[str, Any]) -> None:
    a = world["address"]
    browser = window(a, "browser")
    ok(a, "assign", str(browser["id"]), "alpha")
    assert window(a, "browser")["project"] == "alpha"
    ok(a, "assign", str(browser["id"]), "")
    assert window(a, "browser")["project"] == ""
    focused = next(w for w in as_json(a, "windows") if w["focused"])
    ok(a, "assign", "focused", "beta")
    assert window(a, focused["title"])["project"] == "beta"
    assert run(a, "assign", "focused", "nope").returncode == INVALID
    assert run(a, "assign", "12345", "alpha").returncode == INVALID
    assert run(a, "assign", "not-a-window", "alpha").returncode == INVALID


def test_events_filters_limits_and_json(world: dict[str, Any]) -> None:
    a = world["address"]
    ok(a, "switch", "beta")
    events = as_json(a, "events", "--type", "project::switch")
    assert events, "no project::switch events"
    assert all(e["type"] == "project::switch" for e in events)
    assert events[-1]["details"]["current"] == "beta"
    assert events[-1]["details"]["previous"] == "alpha"
    assert len(as_json(a, "events", "--limit", "1")) == 1
    kinds = {e["type"].split("::")[0] for e in as_json(a, "events", "--type", "window", "-n", "0")}
    assert kinds == {"window"}
    lines = ok(a, "events", "--type", "project::*").splitlines()
    assert lines and all(line.split("\t")[2].startswith("project::") for line in lines)
    assert run(a, "events", "--limit", "-1").returncode == INVALID


class Lines:
    """A child's stdout read line by line, each wait bounded by a deadline."""

    def __init__(self, argv: list[str], env: Mapping[str, str]) -> None:
        self.proc = subprocess.Popen(
            argv,
            env=dict(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            bufsize=0,
        )
        self.buf = b""
        self.lines: list[str] = []

    def read_available(self, wait: float) -> None:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        ready, _, _ = select.select([fd], [], [], wait)
        if ready:
            chunk = os.read(fd, 65536)
            self.buf += chunk
            *complete, self.buf = self.buf.split(b"\n")
            self.lines += [line.decode() for line in complete]

    def wait_for(self, predicate: Callable[[str], bool], timeout: float = 10.0) -> str:
        """The first line (read so far or to come) that satisfies predicate."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for line in self.lines[seen:]:
                if predicate(line):
                    return line
            seen = len(self.lines)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no matching line within {timeout}s; got {self.lines}")
            self.read_available(min(remaining, 0.05))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        self.proc.communicate(timeout=10)


def test_events_follow_prints_new_events(world: dict[str, Any]) -> None:
    a = world["address"]
    follow = Lines([*CLI, "events", "--follow", "--json", "--type", "project::switch",
                    "--limit", "1"], cli_env(a))  # fmt: skip
    try:
        first = json.loads(follow.wait_for(bool))
        assert first["details"]["current"] == "alpha"
        ok(a, "switch", "beta")
        line = follow.wait_for(lambda text: '"current": "beta"' in text)
        assert json.loads(line)["type"] == "project::switch"
    finally:
        follow.stop()


def test_events_follow_marks_a_service_restart_and_replays_the_new_instance(
    bus: DBusDaemon, i3: I3, service: Callable[..., ServiceProcess]
) -> None:
    a = bus.address
    svc = service()
    ok(a, "create", "alpha")
    follow = Lines([*CLI, "events", "--follow", "--json"], cli_env(a))
    try:
        follow.wait_for(lambda text: '"project::create"' in text)
        assert svc.terminate() == 0
        service()
        marker = '{"restart": true}'
        follow.wait_for(lambda text: text == marker)

        def after_marker() -> list[str]:
            return follow.lines[follow.lines.index(marker) + 1 :]

        # The new instance's first events were signalled before it owned the bus name:
        # they come from Recent, from id 1 on, and none is printed twice.
        follow.wait_for(lambda text: '"service::connect"' in text and text in after_marker())
        ids = [json.loads(line)["id"] for line in after_marker()]
        assert ids[0] == 1 and ids == sorted(set(ids)), ids
        ok(a, "switch", "alpha")
        line = follow.wait_for(lambda text: '"current": "alpha"' in text)
        assert json.loads(line)["id"] > ids[-1]
    finally:
        follow.stop()


def test_diagnose_finds_nothing_on_a_consistent_desktop(world: dict[str, Any]) -> None:
    a = world["address"]
    report = as_json(a, "diagnose")
    assert report["ok"] is True, report
    assert report["mismatches"] == []
    assert report["windows"] >= 3
    assert ok(a, "diagnose").startswith("no mismatches")


def test_reload_and_version(world: dict[str, Any]) -> None:
    a = world["address"]
    assert ok(a, "reload") == ""
    from i3project_dbus import __version__

    assert ok(a, "--version") == f"i3project {__version__}\n"
    service = subprocess.run([sys.executable, "-m", "i3project_dbus", "--version"],
                             env=cli_env(a), capture_output=True, text=True, timeout=30,
                             check=True)  # fmt: skip
    assert service.stdout == f"i3project-dbus {__version__}\n"


def test_no_command_prints_the_short_usage_and_exits_2(bus: DBusDaemon) -> None:
    proc = run(bus.address)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("usage: i3project ") and len(proc.stderr.splitlines()) <= 2


# --- menu --------------------------------------------------------------------------------


def test_menu_prints_lines_and_switches_to_the_choice(world: dict[str, Any]) -> None:
    a, bus = world["address"], world["bus"]
    lines = ok(a, "menu", "--print").splitlines()
    assert lines[0].startswith("alpha ") and lines[0].endswith("(active)")
    assert lines[1].split()[0] == "beta"
    assert lines[-1].startswith("[clear]")
    ok(a, "menu", "--launcher", "grep ^beta")
    assert active(bus) == "beta"
    ok(a, "menu", "--launcher", "grep ^.clear")
    assert active(bus) == ""
    # A cancelled menu (no output, exit 1 as rofi and dmenu do on Escape) changes nothing.
    ok(a, "menu", "--launcher", "false")
    assert active(bus) == ""


def test_menu_with_the_example_switcher_script(world: dict[str, Any], tmp_path: Path) -> None:
    script = Path(__file__).resolve().parents[2] / "examples" / "rofi-switcher.sh"
    env = cli_env(world["address"], {"I3PROJECT_MENU": "grep ^beta"})
    env["PATH"] = f"{wrapper_bin(tmp_path)}{os.pathsep}{env['PATH']}"
    proc = subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=30,
                          check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert active(world["bus"]) == "beta"


# --- exit codes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("switch", "nope"),
        ("delete", "nope"),
        ("show", "nope"),
        ("windows", "--project", "nope"),
        ("assign", "focused", "nope"),
    ],
)
def test_unknown_project_exits_3(world: dict[str, Any], args: tuple[str, ...]) -> None:
    proc = run(world["address"], *args)
    assert proc.returncode == INVALID, proc.stderr
    assert "nope" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "args",
    [("switch", "bad name!"), ("create", "bad/name"), ("create", "x" * 65), ("switch", "--x")],
)
def test_bad_name_exits_3(world: dict[str, Any], args: tuple[str, ...]) -> None:
    proc = run(world["address"], *args)
    assert proc.returncode == INVALID, proc.stderr
    assert "Traceback" not in proc.stderr


def test_usage_errors_exit_3_and_existing_project_too(world: dict[str, Any]) -> None:
    a = world["address"]
    assert run(a, "frobnicate").returncode == INVALID
    assert run(a, "switch").returncode == INVALID
    proc = run(a, "create", "alpha")
    assert proc.returncode == INVALID
    assert "ProjectExists" in proc.stderr


@pytest.mark.parametrize("args", [("switch", "alpha"), ("clear",), ("current",), ("list",)])
def test_no_service_exits_2_and_says_how_to_start_it(
    bus: DBusDaemon, args: tuple[str, ...]
) -> None:
    proc = run(bus.address, *args)
    assert proc.returncode == UNREACHABLE, proc.stderr
    assert "not running" in proc.stderr
    assert "i3project-dbus" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_no_bus_exits_2(tmp_path: Path) -> None:
    proc = run(f"unix:path={tmp_path}/no-bus", "switch", "alpha")
    assert proc.returncode == UNREACHABLE
    assert "session bus" in proc.stderr
    env = clean_env({"XDG_RUNTIME_DIR": str(tmp_path)})  # no bus socket in it either
    env["PYTHONPATH"] = str(SRC)
    proc = subprocess.run([*CLI, "current"], env=env, capture_output=True, text=True,
                          timeout=30, check=False)  # fmt: skip
    assert proc.returncode == UNREACHABLE
    assert "DBUS_SESSION_BUS_ADDRESS" in proc.stderr


def test_the_user_bus_socket_is_found_without_the_variable(
    world: dict[str, Any], tmp_path: Path
) -> None:
    # i3 started by startx under a systemd user session: no DBUS_SESSION_BUS_ADDRESS in the
    # environment, the bus at $XDG_RUNTIME_DIR/bus (busctl --user and gdbus look there).
    address = world["address"]
    path = address.split("path=", 1)[1].split(",", 1)[0]
    (tmp_path / "bus").symlink_to(path)
    env = clean_env({"XDG_RUNTIME_DIR": str(tmp_path)})
    env["PYTHONPATH"] = str(SRC)
    for args in (["switch", "beta"], ["current"]):
        proc = subprocess.run([*CLI, *args], env=env, capture_output=True, text=True,
                              timeout=30, check=False)  # fmt: skip
        assert proc.returncode == OK, proc.stderr
    assert proc.stdout.strip() == "beta"


def test_the_first_bus_address_that_answers_is_used(world: dict[str, Any], tmp_path: Path) -> None:
    both = f"unix:path={tmp_path}/no-bus;{world['address']}"
    assert run(both, "switch", "alpha").returncode == OK
    assert run(both, "current").stdout.strip() == "alpha"


# --- D-Bus activation -----------------------------------------------------------------------


@pytest.fixture
def activatable_bus(
    make_bus: Callable[..., DBusDaemon], i3: I3, dirs: XdgDirs, tmp_path: Path
) -> Iterator[DBusDaemon]:
    """A bus that starts the service on the first call to its name."""
    services = tmp_path / "services"
    services.mkdir()
    log = tmp_path / "activated.log"
    (services / f"{BUS_NAME}.service").write_text(
        f"[D-BUS Service]\nName={BUS_NAME}\n"
        f"Exec=/bin/sh -c 'exec {sys.executable} -m i3project_dbus --verbose >>{log} 2>&1'\n"
    )
    env = {"I3SOCK": i3.socket, "PYTHONPATH": str(SRC), **dirs.env()}
    bus = make_bus(servicedirs=[services], env=env)
    yield bus
    rc, out, _ = busctl_rc(
        bus.address,
        "call",
        "org.freedesktop.DBus",
        "/org/freedesktop/DBus",
        "org.freedesktop.DBus",
        "GetConnectionUnixProcessID",
        "s",
        BUS_NAME,
    )
    if rc == 0:
        pid = int(out.split()[1])
        os.kill(pid, signal.SIGTERM)
        poll(lambda: not Path(f"/proc/{pid}").exists() or _zombie(pid), timeout=10,
             what="the activated service to exit")  # fmt: skip


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0] == "Z"
    except OSError:
        return True


def test_a_call_starts_the_service_by_dbus_activation(activatable_bus: DBusDaemon) -> None:
    a = activatable_bus.address
    start = time.monotonic()
    assert ok(a, "current") == "\n"
    assert time.monotonic() - start < 20
    ok(a, "create", "alpha")
    ok(a, "switch", "alpha")
    assert active(activatable_bus) == "alpha"


# --- completion ----------------------------------------------------------------------------


def wrapper_bin(tmp_path: Path) -> Path:
    """A bin/ with an `i3project` that runs this checkout's CLI, as the console script does."""
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    wrapper = bindir / "i3project"
    wrapper.write_text(f'#!/bin/sh\nexec {sys.executable} -m i3project_dbus.cli "$@"\n')
    wrapper.chmod(0o755)
    return bindir


def test_bash_completion_completes_commands_and_project_names(
    world: dict[str, Any], tmp_path: Path
) -> None:
    script = tmp_path / "i3project.bash"
    script.write_text(ok(world["address"], "completion", "bash"))
    env = cli_env(world["address"])
    env["PATH"] = f"{wrapper_bin(tmp_path)}{os.pathsep}{env['PATH']}"

    def complete(*words: str) -> list[str]:
        line = " ".join(f"'{w}'" for w in words)
        program = (f"source {script}; COMP_WORDS=({line}); COMP_CWORD={len(words) - 1};"
                   ' _i3project; printf "%s\\n" "${COMPREPLY[@]}"')  # fmt: skip
        proc = subprocess.run(["bash", "-c", program], env=env, capture_output=True,
                              text=True, timeout=30, check=False)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.split()

    assert complete("i3project", "sw") == ["switch"]
    assert complete("i3project", "switch", "") == ["alpha", "beta"]
    assert complete("i3project", "show", "b") == ["beta"]
    assert complete("i3project", "watch", "--format", "w") == ["waybar"]
    assert complete("i3project", "assign", "focused", "a") == ["alpha"]


def test_zsh_completion_is_printed(world: dict[str, Any]) -> None:
    script = ok(world["address"], "completion", "zsh")
    assert script.startswith("#compdef i3project")
    assert "list --names" in script


# --- on a terminal ---------------------------------------------------------------------------


def _take_terminal() -> None:
    """In the child: a session of its own with the pty as its controlling terminal, as a
    shell in a terminal emulator gives the commands it runs."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def run_tty(
    address: str,
    *args: str,
    env: Mapping[str, str] | None = None,
    columns: int = 80,
    controlling: bool = True,
    timeout: float = 30,
) -> tuple[int, str]:
    """The CLI with a pty as stdin, stdout and stderr: (exit code, what it printed).
    controlling=False: the pty is inherited but not its controlling terminal, as for a
    key binding of an i3 started from a console (i3 runs bindings after setsid)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    full_env = {**cli_env(address), "TERM": "xterm-256color", **(env or {})}
    preexec = _take_terminal if controlling else os.setsid
    proc = subprocess.Popen([*CLI, *args], stdin=follower, stdout=follower, stderr=follower,
                            env=full_env, preexec_fn=preexec)  # fmt: skip
    os.close(follower)
    output = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while True:
            ready, _, _ = select.select([leader], [], [], max(0, deadline - time.monotonic()))
            if not ready:
                proc.kill()
                raise AssertionError(f"i3project {' '.join(args)}: no end within {timeout} s")
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: every process holding the pty has closed it
                break
            if not chunk:
                break
            output += chunk
        return proc.wait(10), output.decode().replace("\r\n", "\n")
    finally:
        os.close(leader)


def tty_ok(address: str, *args: str, **kwargs: Any) -> str:
    code, out = run_tty(address, *args, **kwargs)
    assert code == OK, f"i3project {' '.join(args)}: {code}\n{out}"
    return out


SWITCH_LINE = r"(?P<label>.+): showed (?P<shown>\d+), hid (?P<hid>\d+) \(\d+(\.\d)? ms\)"


def switch_line(text: str) -> tuple[str, int, int]:
    found = re.fullmatch(SWITCH_LINE, text.strip())
    assert found is not None, f"not a switch line: {text!r}"
    return found["label"], int(found["shown"]), int(found["hid"])


def test_switch_clear_and_assign_on_a_terminal_say_what_the_service_did(
    world: dict[str, Any],
) -> None:
    a, bus = world["address"], world["bus"]
    assert switch_line(tty_ok(a, "switch", "beta")) == ("beta", 1, 1)
    assert active(bus) == "beta"
    assert switch_line(tty_ok(a, "clear")) == ("no project", 1, 0)
    ok(a, "switch", "alpha")
    browser = window(a, "browser")["id"]
    # Assigned to a project that is not active: the service hides it at once.
    label = f"window {browser} assigned to beta"
    assert switch_line(tty_ok(a, "assign", str(browser), "beta")) == (label, 0, 1)
    assert window(a, "browser")["hidden"]


def test_a_switch_is_quiet_with_q_and_from_a_key_binding(world: dict[str, Any]) -> None:
    a, bus = world["address"], world["bus"]
    assert tty_ok(a, "switch", "-q", "beta") == ""
    assert active(bus) == "beta"
    # i3 started from a console: the binding inherits the terminal, not as its own.
    assert tty_ok(a, "switch", "alpha", controlling=False) == ""
    assert active(bus) == "alpha"
    assert tty_ok(a, "clear", controlling=False) == ""
    assert active(bus) == ""


def test_no_color_means_no_escapes_on_a_terminal(world: dict[str, Any]) -> None:
    a = world["address"]
    assert "\x1b[" in tty_ok(a, "list")  # styled without NO_COLOR, so the check can fail
    for args in (("list",), ("windows",), ("current",), ("show", "alpha"), ("events", "-n", "3"),
                 ("diagnose",)):  # fmt: skip
        out = tty_ok(a, *args, env={"NO_COLOR": "1"})
        assert "\x1b" not in out, f"{args}: {out!r}"
        assert out.strip()


def test_windows_never_cuts_an_id_in_80_columns(world: dict[str, Any]) -> None:
    a = world["address"]
    ids = [str(w["id"]) for w in as_json(a, "windows")]
    out = tty_ok(a, "windows", columns=80, env={"NO_COLOR": "1"})
    assert max(len(line) for line in out.splitlines()) <= 80
    for con_id in ids:
        assert con_id in out, f"{con_id} cut in:\n{out}"


def test_current_on_a_terminal_says_no_project(world: dict[str, Any]) -> None:
    a = world["address"]
    assert tty_ok(a, "current", env={"NO_COLOR": "1"}).strip() == "alpha"
    ok(a, "clear")
    assert tty_ok(a, "current", env={"NO_COLOR": "1"}).strip() == "no project"
    assert ok(a, "current") == "\n"  # a script still reads an empty line


# --- a hung service ------------------------------------------------------------------------------


@pytest.mark.parametrize("terminal", [False, True])
def test_a_switch_gives_up_on_a_hung_service_within_5_s(
    world: dict[str, Any], terminal: bool
) -> None:
    a, svc = world["address"], world["service"]
    svc.signal(signal.SIGSTOP)
    try:
        start = time.monotonic()
        if terminal:
            code, err = run_tty(a, "switch", "beta", timeout=20)
        else:
            proc = run(a, "switch", "beta", timeout=20)
            code, err = proc.returncode, proc.stderr
        took = time.monotonic() - start
    finally:
        svc.signal(signal.SIGCONT)
    assert code == UNREACHABLE, err
    assert "did not answer" in err and "5 s" in err
    # 5 s per call; on a terminal the event count is read first (and that call gives up).
    assert took < 8
    if terminal:
        assert ok(a, "current") == "alpha\n"  # the switch was never sent
    else:
        poll(lambda: active(world["bus"]) == "beta", what="the queued switch once resumed")


# --- the menu without a menu program ------------------------------------------------------------


@pytest.fixture
def notification_daemon(bus: DBusDaemon, tmp_path: Path) -> Iterator[None]:
    """python-dbusmock's notification_daemon template on the private bus."""
    log = open(tmp_path / "dbusmock.log", "wb")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(
        [sys.executable, "-m", "dbusmock", "--template", "notification_daemon"],
        env=clean_env(bus.env()), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        poll(lambda: busctl_rc(bus.address, "status", NOTIFICATIONS)[0] == 0, timeout=10,
             what="the mock notification daemon")  # fmt: skip
        yield
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


NOTIFICATIONS = "org.freedesktop.Notifications"


def notifications(bus: DBusDaemon) -> list[list[Any]]:
    """The arguments of every Notify call the mock daemon received (variants unwrapped)."""
    out = busctl(bus.address, "--json=short", "call", NOTIFICATIONS,
                 "/org/freedesktop/Notifications", "org.freedesktop.DBus.Mock",
                 "GetCalls")  # fmt: skip
    return [[arg["data"] for arg in call[2]] for call in json.loads(out)["data"][0]
            if call[1] == "Notify"]  # fmt: skip


def menu_without_programs(address: str, tmp_path: Path, *args: str) -> tuple[int, str, float]:
    """`i3project menu` as a status bar's click runs it: output to pipes, and here a PATH
    with neither rofi nor dmenu."""
    empty = tmp_path / "empty-bin"
    empty.mkdir(exist_ok=True)
    env = {**cli_env(address), "PATH": str(empty)}
    env.pop("I3PROJECT_MENU", None)
    start = time.monotonic()
    proc = subprocess.run([*CLI, "menu", *args], env=env, capture_output=True, text=True,
                          timeout=30, stdin=subprocess.DEVNULL, check=False)  # fmt: skip
    return proc.returncode, proc.stderr, time.monotonic() - start


@pytest.mark.usefixtures("notification_daemon")
def test_a_menu_click_without_a_menu_program_sends_a_notification(
    bus: DBusDaemon, tmp_path: Path
) -> None:
    code, err, _ = menu_without_programs(bus.address, tmp_path)
    assert code == ERROR
    assert "no menu program" in err
    sent = notifications(bus)
    assert len(sent) == 1
    _app, _replaces, _icon, summary, body, *_ = sent[0]
    assert summary == "i3project menu" and "no menu program" in body
    code, err, _ = menu_without_programs(bus.address, tmp_path, "--launcher", "no-such-menu")
    assert code == ERROR and "cannot run the menu" in err
    poll(lambda: len(notifications(bus)) == 2, timeout=5, what="a second notification")


def test_a_menu_click_without_a_notification_daemon_says_it_on_stderr(
    bus: DBusDaemon, tmp_path: Path
) -> None:
    code, err, took = menu_without_programs(bus.address, tmp_path)
    assert code == ERROR
    assert err.startswith("i3project: no menu program") and "Traceback" not in err
    assert took < 10
