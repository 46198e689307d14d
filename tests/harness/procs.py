"""Child processes that never outlive a test: own process group, group kill, fd handshakes."""

from __future__ import annotations

import atexit
import contextlib
import os
import select
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

# Variables that would point a child at the developer's real desktop session.
SESSION_VARS = ("DBUS_SESSION_BUS_ADDRESS", "I3SOCK", "SWAYSOCK", "DISPLAY", "WAYLAND_DISPLAY")

TOOL_TIMEOUT = 30.0

# Safety net only: fixtures stop their processes; this catches an interpreter that exits
# (Ctrl-C, pytest-timeout in thread mode) before a finalizer could run.
_live: set[Spawned] = set()


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A copy of os.environ without the session variables, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in SESSION_VARS}
    env.update(extra or {})
    return env


class CommandError(AssertionError):
    """A tool exited non-zero; the message carries its argv, exit code and stderr."""

    def __init__(self, argv: Sequence[str], rc: int, out: str, err: str) -> None:
        super().__init__(f"{' '.join(argv)!s} exited {rc}\nstderr: {err.strip()}\nstdout: {out}")
        self.argv = list(argv)
        self.rc = rc
        self.out = out
        self.err = err


def run_tool(
    argv: Sequence[str], env: Mapping[str, str] | None = None, timeout: float = TOOL_TIMEOUT
) -> tuple[int, str, str]:
    """Run a short-lived tool in its own session; return (rc, stdout, stderr)."""
    proc = subprocess.Popen(
        list(argv),
        env=dict(env) if env is not None else None,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise CommandError(argv, -9, out, f"timed out after {timeout}s; {err}") from None
    return proc.returncode, out, err


def _killpg(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


class Spawned:
    """One long-running child, leader of its own process group, output to a log file."""

    def __init__(
        self,
        argv: Sequence[str],
        env: Mapping[str, str],
        log_path: Path,
        pass_fds: Sequence[int] = (),
    ) -> None:
        self.argv = list(argv)
        self.log_path = log_path
        with open(log_path, "ab") as log:
            self.proc = subprocess.Popen(
                self.argv,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=tuple(pass_fds),
                start_new_session=True,
            )
        _live.add(self)

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def returncode(self) -> int | None:
        return self.proc.poll()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def describe(self) -> str:
        """argv, exit status and log, for error messages."""
        status = "running" if self.alive() else f"exited {self.proc.returncode}"
        return f"{' '.join(self.argv)} ({status}); log {self.log_path}:\n{self.log()}"

    def signal(self, sig: signal.Signals) -> None:
        """Send sig to the leader only (a graceful stop lets it shut its children down)."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(sig)

    def wait(self, timeout: float) -> int | None:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout: float = 5.0) -> int:
        """SIGTERM the leader, SIGKILL the group after `timeout`; return the exit code."""
        if self not in _live:
            return self.proc.wait()
        self.signal(signal.SIGTERM)
        if self.wait(timeout) is None:
            _killpg(self.pid, signal.SIGKILL)
        return self.kill()

    def kill(self) -> int:
        """SIGKILL the whole group, reap the leader, return its exit code. Idempotent."""
        if self not in _live:
            return self.proc.wait()
        # While any member lives (an unreaped leader counts), the pgid cannot be reused, so
        # this reaches only our processes; a leader that exited on its own may have left
        # members behind, which this also ends.
        _killpg(self.pid, signal.SIGKILL)
        rc = self.proc.wait()
        _live.discard(self)
        return rc


def read_fd_line(fd: int, timeout: float, child: Spawned, what: str) -> str:
    """Read one newline-terminated line from a pipe a child writes to, with a deadline.

    Fails fast (with the child's log) on EOF, i.e. when the child died before writing.
    """
    deadline = time.monotonic() + timeout
    data = b""
    while b"\n" not in data:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"timed out after {timeout}s reading {what}: {child.describe()}")
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(fd, 4096)
        if not chunk:
            raise AssertionError(f"EOF before {what} (got {data!r}): {child.describe()}")
        data += chunk
    return data.split(b"\n", 1)[0].decode().strip()


@atexit.register
def _kill_leftovers() -> None:
    for child in list(_live):
        child.kill()
