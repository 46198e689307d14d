"""Starting a process for a launch: find the program, start it held before exec (see
_trampoline.py), and let it exec when the service is ready; OS errors become LaunchFailed.

Why a trampoline and not fork() here: the service has threads (the file writer, the X
reader), and a child forked from a threaded process may only call async-signal-safe
functions before exec; Python code cannot promise that. A fresh interpreter is
single-threaded, so it may fork and wait at leisure (measured: about 10 ms of CPU for
the interpreter, against the hundreds of milliseconds an app takes to map a window).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import stat
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..model.errors import LaunchFailed

log = logging.getLogger(__name__)

TRAMPOLINE = str(Path(__file__).with_name("_trampoline.py"))
# The trampoline reports its pid within an interpreter start; exec's outcome comes right
# after "go". Generous, for a loaded machine: a timeout here ends the launch.
REPORT_TIMEOUT = 10.0
MAX_REPORT = 256


def _os_error(code: int, filename: str) -> str:
    return str(OSError(code, os.strerror(code), filename))


def _check_executable(path: str) -> str:
    try:
        info = os.stat(path)
    except OSError as exc:
        raise LaunchFailed(f"cannot run {path!r}: {exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise LaunchFailed(f"cannot run {path!r}: {_os_error(errno.EISDIR, path)}")
    if not os.access(path, os.X_OK):
        raise LaunchFailed(f"cannot run {path!r}: {_os_error(errno.EACCES, path)}")
    return path


def resolve(program: str, cwd: str, search_path: str) -> str:
    """The file exec will run, as execvp would find it from ``cwd`` with PATH
    ``search_path``; LaunchFailed naming the OS error when there is none to run."""
    if "/" in program:
        return _check_executable(os.path.join(cwd, program))
    denied = ""
    for entry in search_path.split(os.pathsep):
        candidate = os.path.join(cwd, entry or ".", program)
        if os.path.isfile(candidate):
            if os.access(candidate, os.X_OK):
                return candidate
            denied = denied or candidate
    if denied:
        raise LaunchFailed(f"cannot run {program!r}: {_os_error(errno.EACCES, denied)}")
    where = search_path if len(search_path) <= 200 else search_path[:197] + "..."
    raise LaunchFailed(
        f"cannot run {program!r}: {_os_error(errno.ENOENT, program)} (PATH is {where!r})"
    )


def check_directory(path: str) -> str:
    try:
        info = os.stat(path)
    except OSError as exc:
        raise LaunchFailed(f"cannot run in the project directory: {exc}") from None
    if not stat.S_ISDIR(info.st_mode):
        raise LaunchFailed(f"cannot run in the project directory: {_os_error(errno.ENOTDIR, path)}")
    return path


class Held:
    """A started process, held before exec until ``release`` (or ``abort``)."""

    def __init__(self, pid: int, program: str, go_fd: int, report_fd: int) -> None:
        self.pid = pid
        self.program = program
        # Writing "go" here lets the process exec; closing it without, ends it.
        self._go_fd = go_fd
        # Exec's outcome: EOF once exec succeeded, "err N" if it failed.
        self._report_fd = report_fd

    async def release(self) -> None:
        """Let the process exec; LaunchFailed with the OS error if exec failed."""
        try:
            os.write(self._go_fd, b"go")
        except OSError as exc:
            raise LaunchFailed(f"the launched process ended before it could start: {exc}") from exc
        finally:
            self.abort()
        report = await _read_report(self._report_fd, REPORT_TIMEOUT, until_eof=True)
        if report.startswith(b"err "):
            code = int(report.split()[1])
            raise LaunchFailed(f"cannot run {self.program!r}: {_os_error(code, self.program)}")

    def abort(self) -> None:
        """Never exec: the held process exits as soon as its go pipe closes."""
        if self._go_fd >= 0:
            os.close(self._go_fd)
            self._go_fd = -1

    def close(self) -> None:
        self.abort()
        if self._report_fd >= 0:
            os.close(self._report_fd)
            self._report_fd = -1


async def _read_report(fd: int, timeout: float, until_eof: bool) -> bytes:
    """Read the trampoline's report without blocking the loop: one line, or all of it."""
    loop = asyncio.get_running_loop()
    os.set_blocking(fd, False)
    data = b""
    done: asyncio.Future[None] = loop.create_future()

    def readable() -> None:
        nonlocal data
        try:
            chunk = os.read(fd, MAX_REPORT)
        except BlockingIOError:
            return
        except OSError as exc:
            if not done.done():
                done.set_exception(exc)
            return
        data += chunk
        finished = not chunk or len(data) > MAX_REPORT or (not until_eof and b"\n" in data)
        if finished and not done.done():
            done.set_result(None)

    loop.add_reader(fd, readable)
    try:
        await asyncio.wait_for(done, timeout)
    except TimeoutError:
        raise LaunchFailed(f"the launched process did not report back in {timeout} s") from None
    finally:
        loop.remove_reader(fd)
    return data


def _start_trampoline(
    program: str, argv: Sequence[str], cwd: str, env: Mapping[str, str], go_r: int, report_w: int
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-I", "-S", TRAMPOLINE, str(go_r), str(report_w), program, *argv],
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        pass_fds=(go_r, report_w),
        close_fds=True,
    )


async def start(program: str, argv: Sequence[str], cwd: str, env: Mapping[str, str]) -> Held:
    """Start ``program`` (a path, see resolve) with ``argv`` in ``cwd`` with exactly ``env``,
    held before exec. The caller must release or close what it gets."""
    go_r, go_w = os.pipe2(os.O_CLOEXEC)
    report_r, report_w = os.pipe2(os.O_CLOEXEC)
    held: Held | None = None
    try:
        try:
            proc = await asyncio.to_thread(
                _start_trampoline, program, argv, cwd, env, go_r, report_w
            )
        except OSError as exc:
            raise LaunchFailed(f"cannot start a process: {exc}") from exc
        finally:
            os.close(go_r)
            os.close(report_w)
        try:
            line = await _read_report(report_r, REPORT_TIMEOUT, until_eof=False)
        finally:
            # The trampoline exits right after reporting (or has failed): reap it.
            await asyncio.to_thread(_reap, proc)
        if not line.startswith(b"pid "):
            raise LaunchFailed(f"the launcher did not start (exit status {proc.returncode})")
        held = Held(int(line.split()[1]), program, go_w, report_r)
        return held
    finally:
        if held is None:
            os.close(go_w)  # a grandchild that did get made exits without exec
            os.close(report_r)


def _reap(proc: subprocess.Popen[bytes]) -> None:
    try:
        proc.wait(REPORT_TIMEOUT)
    except subprocess.TimeoutExpired:
        log.warning("the launch trampoline %s did not exit; killing it", proc.pid)
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait()
