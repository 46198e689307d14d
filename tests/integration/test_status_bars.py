"""Status bars fed by `i3project watch`: a real i3blocks runs the example block, each
format prints at once and on every change, and watch outlives a service restart."""

from __future__ import annotations

import configparser
import contextlib
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
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
    busctl,
    clean_env,
)

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
EXAMPLES = ROOT / "examples"
CLI = [sys.executable, "-m", "i3project_dbus.cli"]


def env_for(address: str, bindir: Path) -> dict[str, str]:
    """A desktop-like environment: the private bus, and `i3project` on PATH."""
    env = clean_env({"DBUS_SESSION_BUS_ADDRESS": address})
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH", "")) if p)
    env["PATH"] = f"{bindir}{os.pathsep}{env['PATH']}"
    return env


@pytest.fixture
def bindir(tmp_path: Path) -> Path:
    """A bin/ whose `i3project` runs this checkout's CLI, as the console script does."""
    path = tmp_path / "bin"
    path.mkdir()
    wrapper = path / "i3project"
    wrapper.write_text(f'#!/bin/sh\nexec {sys.executable} -m i3project_dbus.cli "$@"\n')
    wrapper.chmod(0o755)
    return path


def call(bus: DBusDaemon, method: str, *args: str) -> str:
    return busctl(bus.address, "call", BUS_NAME, MANAGER_PATH, MANAGER_IFACE, method, *args)


class Lines:
    """A child's stdout read line by line, each wait bounded by a deadline. The child leads
    its own process group, and stop() ends the whole group (a bar and its blocks)."""

    def __init__(self, argv: list[str], env: Mapping[str, str], cwd: Path | None = None):
        self.proc = subprocess.Popen(
            argv, env=dict(env), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL, bufsize=0, start_new_session=True,
        )  # fmt: skip
        self.buf = b""
        self.lines: list[str] = []

    def read_available(self, wait: float) -> None:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        ready, _, _ = select.select([fd], [], [], wait)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                time.sleep(wait)  # EOF: the child exited; wait_for reports it at the deadline
            self.buf += chunk
            *complete, self.buf = self.buf.split(b"\n")
            self.lines += [line.decode() for line in complete]

    def wait_for(
        self, predicate: Callable[[str], bool], timeout: float = 10.0, start: int = 0
    ) -> tuple[int, str]:
        """(index, line) of the first line from `start` on that satisfies predicate."""
        deadline = time.monotonic() + timeout
        seen = start
        while True:
            for i in range(seen, len(self.lines)):
                if predicate(self.lines[i]):
                    return i, self.lines[i]
            seen = max(seen, len(self.lines))
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"no matching line within {timeout}s (exit {self.proc.poll()}); "
                    f"got {self.lines[start:]}; stderr so far: {self.stderr()}"
                )
            self.read_available(min(remaining, 0.02))

    def stderr(self) -> str:
        if self.proc.poll() is None or self.proc.stderr is None:
            return ""
        return self.proc.stderr.read().decode(errors="replace")

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.communicate()


@pytest.fixture
def running(bus: DBusDaemon, i3: I3, service: Callable[..., ServiceProcess]) -> dict[str, Any]:
    """The service with projects alpha (display name and icon) and beta, alpha active."""
    svc = service()
    call(bus, "CreateProject", "sa{sv}", "alpha", "2", "display_name", "s", "Alpha Project",
         "icon", "s", "A")  # fmt: skip
    call(bus, "CreateProject", "sa{sv}", "beta", "0")
    call(bus, "SwitchProject", "s", "alpha")
    return {"bus": bus, "service": svc, "start": service}


@pytest.fixture
def started() -> Iterator[list[Lines]]:
    children: list[Lines] = []
    yield children
    for child in children:
        child.stop()


# --- i3blocks -----------------------------------------------------------------------------


def i3bar_blocks(line: str) -> list[dict[str, Any]]:
    """The blocks of one i3bar status line (`[{...}],`), or [] for protocol lines."""
    text = line.strip().lstrip(",").rstrip(",")
    if not text.startswith("[{"):
        return []
    blocks: list[dict[str, Any]] = json.loads(text)
    return blocks


def full_text(line: str) -> str | None:
    for block in i3bar_blocks(line):
        if block.get("name") == "i3project":
            return str(block.get("full_text", ""))
    return None


def test_i3blocks_runs_the_example_block_and_shows_a_switch_within_a_second(
    running: dict[str, Any], bindir: Path, started: list[Lines]
) -> None:
    if shutil.which("i3blocks") is None:
        pytest.skip("integration prerequisite missing: i3blocks (apt-get install i3blocks)")
    bus = running["bus"]
    bar = Lines(["i3blocks", "-c", str(EXAMPLES / "i3blocks.conf")], env_for(bus.address, bindir))
    started.append(bar)
    header, _ = bar.wait_for(lambda line: '"version"' in line)
    assert json.loads(bar.lines[header])["version"] == 1
    first, _ = bar.wait_for(lambda line: full_text(line) == "A Alpha Project")

    call(bus, "SwitchProject", "s", "beta")
    switched = time.monotonic()
    bar.wait_for(lambda line: full_text(line) == "beta", timeout=1.0, start=first + 1)
    assert time.monotonic() - switched <= 1.0

    call(bus, "ClearProject")
    bar.wait_for(lambda line: full_text(line) == "no project", timeout=1.0, start=first + 1)


# --- watch formats ---------------------------------------------------------------------------


def watch(bus: DBusDaemon, bindir: Path, started: list[Lines], *args: str) -> Lines:
    child = Lines([*CLI, "watch", *args], env_for(bus.address, bindir))
    started.append(child)
    return child


@pytest.mark.parametrize(
    ("fmt", "parse"),
    [
        ("plain", lambda line: line),
        ("i3blocks", lambda line: line),
        ("json", lambda line: json.loads(line)["label"]),
        ("waybar", lambda line: json.loads(line)["text"]),
        ("polybar", lambda line: re.sub(r"%\{[^}]*\}", "", line)),
    ],
)
def test_watch_prints_at_once_and_on_each_change(
    running: dict[str, Any],
    bindir: Path,
    started: list[Lines],
    fmt: str,
    parse: Callable[[str], str],
) -> None:
    bus = running["bus"]
    child = watch(bus, bindir, started, "--format", fmt)
    expected_alpha = "alpha" if fmt == "plain" else "A Alpha Project"
    first, _ = child.wait_for(lambda line: parse(line) == expected_alpha)
    assert first == 0, "the current state comes first, before any change"
    call(bus, "SwitchProject", "s", "beta")
    i, _ = child.wait_for(lambda line: parse(line) == "beta", timeout=2.0)
    assert i == 1, "one line per change"
    call(bus, "ClearProject")
    expected_none = "" if fmt == "plain" else "no project"
    child.wait_for(lambda line: parse(line) == expected_none, timeout=2.0, start=2)


def test_watch_formats_carry_what_each_bar_needs(
    running: dict[str, Any], bindir: Path, started: list[Lines]
) -> None:
    bus = running["bus"]
    waybar = watch(bus, bindir, started, "--format", "waybar")
    _, line = waybar.wait_for(bool)
    data = json.loads(line)
    assert set(data) >= {"text", "tooltip", "class"}
    assert data["class"] == "active"
    assert "Project: alpha" in data["tooltip"]

    polybar = watch(bus, bindir, started, "--format", "polybar", "--menu-command", "a:b")
    _, line = polybar.wait_for(bool)
    assert line.startswith("%{A1:a\\:b:}%{F#")
    assert line.endswith("%{F-}%{A}")

    as_json = watch(bus, bindir, started, "--format", "json")
    _, line = as_json.wait_for(bool)
    assert json.loads(line)["projects"] == ["alpha", "beta"]


def test_watch_survives_a_service_restart(
    running: dict[str, Any], bindir: Path, started: list[Lines]
) -> None:
    bus, svc = running["bus"], running["service"]
    child = watch(bus, bindir, started, "--format", "waybar")
    child.wait_for(lambda line: json.loads(line)["class"] == "active")

    assert svc.terminate() == 0
    i, _ = child.wait_for(lambda line: json.loads(line)["class"] == "disconnected")
    assert child.proc.poll() is None, "watch must keep running while the service is away"

    running["start"]()
    j, line = child.wait_for(lambda line: json.loads(line)["class"] != "disconnected", start=i)
    assert json.loads(line)["text"] == "A Alpha Project", "the persisted project comes back"
    call(bus, "SwitchProject", "s", "beta")
    child.wait_for(lambda line: json.loads(line)["text"] == "beta", timeout=2.0, start=j)


def test_watch_ends_when_the_bar_goes_away(
    running: dict[str, Any], bindir: Path, tmp_path: Path
) -> None:
    env = env_for(running["bus"].address, bindir)
    proc = subprocess.Popen(
        ["sh", "-c", "i3project watch --format plain | head -n 1"], env=env,
        stdout=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        out, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert out == "alpha\n"
    assert proc.returncode == 0


# --- the other examples ------------------------------------------------------------------------


def test_example_polybar_module_runs_watch_with_tail() -> None:
    config = configparser.ConfigParser(interpolation=None)
    config.read(EXAMPLES / "polybar-module.ini")
    module = config["module/i3project"]
    assert module["type"] == "custom/script"
    assert module["tail"] == "true"
    assert module["exec"] == "i3project watch --format polybar"


def test_example_waybar_module_is_json_with_return_type_json() -> None:
    text = (EXAMPLES / "waybar-module.jsonc").read_text()
    config = json.loads(re.sub(r"^\s*//.*$", "", text, flags=re.MULTILINE))
    module = config["custom/i3project"]
    assert module["return-type"] == "json"
    assert module["exec"] == "i3project watch --format waybar"


def test_example_waybar_exec_prints_what_waybar_reads(
    running: dict[str, Any], bindir: Path, started: list[Lines]
) -> None:
    text = (EXAMPLES / "waybar-module.jsonc").read_text()
    module = json.loads(re.sub(r"^\s*//.*$", "", text, flags=re.MULTILINE))["custom/i3project"]
    child = Lines(["sh", "-c", module["exec"]], env_for(running["bus"].address, bindir))
    started.append(child)
    _, line = child.wait_for(bool)
    assert json.loads(line)["text"] == "A Alpha Project"


def test_example_i3_keybindings_are_valid_i3_config(tmp_path: Path) -> None:
    if shutil.which("i3") is None:
        pytest.skip("integration prerequisite missing: i3 (apt-get install i3-wm)")
    config = tmp_path / "config"
    bindings = (EXAMPLES / "i3-keybindings.conf").read_text()
    config.write_text("# i3 config file (v4)\nfont pango:monospace 8\n" + bindings)
    proc = subprocess.run(["i3", "-C", "-c", str(config)], capture_output=True, text=True,
                          timeout=30, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "i3project switch" in bindings
    assert "busctl --user call org.i3project.Manager1" in bindings
