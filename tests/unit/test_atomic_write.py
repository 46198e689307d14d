"""Atomic writes under SIGKILL: the writer is killed at every step of atomic_write, and at
random moments during large writes; the file always holds the old or the new content."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from i3project_dbus.config import Store
from i3project_dbus.model.project import Project

SRC = Path(__file__).resolve().parents[2] / "src"
SOAK = os.environ.get("I3PROJECT_SOAK") == "1"

# The child: wraps every system call atomic_write makes, and SIGKILLs itself just
# before or just after the Nth one (KILL_AT=N:before|after), or in the middle of
# writing the data (a short write, then death). Without KILL_AT it writes for ever.
CHILD = r"""
import os, signal, sys, tempfile
from pathlib import Path
from i3project_dbus import config

target = Path(sys.argv[1])
old, new = Path(sys.argv[2]).read_bytes(), Path(sys.argv[3]).read_bytes()
kill_at = os.environ.get("KILL_AT")
calls = 0

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def wrap(module, name):
    real = getattr(module, name)
    def wrapper(*args, **kwargs):
        global calls
        calls += 1
        n = calls  # real() may make wrapped calls of its own (mkstemp calls os.open)
        if kill_at == f"{n}:before":
            die()
        result = real(*args, **kwargs)
        if kill_at == f"{n}:after":
            die()
        return result
    setattr(module, name, wrapper)

for module, name in [(tempfile, "mkstemp"), (os, "fdopen"), (os, "fsync"),
                     (os, "replace"), (os, "open"), (os, "close"), (os, "unlink")]:
    wrap(module, name)

if kill_at == "short-write":
    real_fdopen = os.fdopen
    def fdopen(fd, *args, **kwargs):
        handle = real_fdopen(fd, *args, **kwargs)
        real_write = handle.write
        def write(data):
            real_write(data[: len(data) // 2])
            handle.flush()
            die()
        handle.write = write
        return handle
    os.fdopen = fdopen

if kill_at is None:
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        config.atomic_write(target, new)
        config.atomic_write(target, old)
config.atomic_write(target, new)
sys.stdout.write(f"calls={calls}\n")
"""


def run_child(target: Path, old: bytes, new: bytes, kill_at: str | None) -> subprocess.Popen[str]:
    """The writer, given the two contents through files (argv is too small for MiBs)."""
    data = target.parent.parent / "data"
    data.mkdir(exist_ok=True)
    (data / "old").write_bytes(old)
    (data / "new").write_bytes(new)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    if kill_at is not None:
        env["KILL_AT"] = kill_at
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(target), str(data / "old"), str(data / "new")],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


def leftovers(directory: Path, target: Path) -> list[Path]:
    return [p for p in directory.iterdir() if p != target]


def test_killed_at_every_step_leaves_old_or_new(tmp_path: Path) -> None:
    old, new = '{"v": "old"}', '{"v": "new"}'
    (tmp_path / "w").mkdir()
    target = tmp_path / "w" / "state.json"
    # How many wrapped calls one write makes, from a run that is not killed.
    target.write_text(old)
    child = run_child(target, old.encode(), new.encode(), "never")
    out, _ = child.communicate(timeout=30)
    calls = int(out.strip().split("=")[1])
    assert calls >= 4, out
    assert target.read_text() == new
    points = [f"{n}:{when}" for n in range(1, calls + 1) for when in ("before", "after")]
    for point in [*points, "short-write"]:
        for p in leftovers(target.parent, target):
            p.unlink()
        target.write_text(old)
        child = run_child(target, old.encode(), new.encode(), point)
        child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL, (point, child.returncode)
        assert target.read_text() in (old, new), point
        # What a crash may leave is a hidden temp file, which no loader picks up.
        for p in leftovers(target.parent, target):
            assert p.name.startswith(".state.json.") and p.name.endswith(".tmp"), p


def test_killed_at_random_moments_during_large_writes(tmp_path: Path) -> None:
    old = "a" * (4 << 20)
    new = "b" * (3 << 20)
    (tmp_path / "w").mkdir()
    target = tmp_path / "w" / "big.json"
    target.write_text(old)
    rng = random.Random(1)
    rounds = 200 if SOAK else 25
    for n in range(rounds):
        child = run_child(target, old.encode(), new.encode(), None)
        assert child.stdout is not None
        assert child.stdout.readline() == "ready\n"
        time.sleep(rng.uniform(0, 0.05))  # a random moment to kill at, not a wait
        child.kill()
        child.wait(10)
        child.stdout.close()
        content = target.read_bytes()
        assert content in (old.encode(), new.encode()), (n, len(content))


def test_a_crashed_write_does_not_disturb_the_store(tmp_path: Path) -> None:
    """A temp file left by a killed writer is neither loaded as a project nor in the way
    of the next write."""
    store = Store(config_dir=tmp_path / "config", state_dir=tmp_path / "state")
    store.save_project(Project(name="kept", display_name="Kept"))
    projects = store.projects_dir
    (projects / ".kept.json.abc123.tmp").write_text('{"name": "kept", "display')
    (projects / ".other.json.x.tmp").write_text("{")
    loaded, errors = store.load_projects()
    assert list(loaded) == ["kept"] and errors == []
    store.save_project(Project(name="kept", display_name="Again"))
    assert json.loads(store.project_file("kept").read_text())["display_name"] == "Again"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only directory")
def test_an_unwritable_directory_is_a_config_error(tmp_path: Path) -> None:
    from i3project_dbus.model.errors import ConfigError

    store = Store(config_dir=tmp_path / "config", state_dir=tmp_path / "state")
    store.projects_dir.mkdir(parents=True)
    store.projects_dir.chmod(0o500)
    try:
        with pytest.raises(ConfigError):
            store.save_project(Project(name="x"))
    finally:
        store.projects_dir.chmod(0o700)
