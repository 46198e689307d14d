"""A headless X server (Xvfb) whose display number is read from -displayfd, never guessed."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType

from .procs import Spawned, clean_env, read_fd_line


class Xvfb:
    """`Xvfb -screen 0 WxHxD -nolisten tcp -noreset -displayfd FD`.

    Xvfb writes the display number to FD once it accepts connections, and picks a free
    number itself. -noreset keeps the server (and its root window properties) alive across
    the moments when no client is connected, e.g. between one test's i3 and the next.
    """

    def __init__(self, screen: str = "1280x800x24", timeout: float = 10.0) -> None:
        self.tmpdir = Path(tempfile.mkdtemp(prefix="i3p-x-"))
        read_end, write_end = os.pipe()
        try:
            self._child = Spawned(
                [
                    "Xvfb",
                    "-screen",
                    "0",
                    screen,
                    "-nolisten",
                    "tcp",
                    "-noreset",
                    "-displayfd",
                    str(write_end),
                ],
                env=clean_env(),
                log_path=self.tmpdir / "xvfb.log",
                pass_fds=(write_end,),
            )
            os.close(write_end)
            write_end = -1
            self.display = ":" + read_fd_line(read_end, timeout, self._child, "the display number")
        except BaseException:
            if hasattr(self, "_child"):
                self._child.kill()
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            raise
        finally:
            for fd in (read_end, write_end):
                if fd >= 0:
                    os.close(fd)

    @property
    def pid(self) -> int:
        return self._child.pid

    def env(self) -> dict[str, str]:
        return {"DISPLAY": self.display}

    def log(self) -> str:
        return self._child.log()

    def stop(self, timeout: float = 5.0) -> int:
        try:
            return self._child.stop(timeout)
        finally:
            shutil.rmtree(self.tmpdir, ignore_errors=True)

    def kill(self) -> int:
        try:
            return self._child.kill()
        finally:
            shutil.rmtree(self.tmpdir, ignore_errors=True)

    def __enter__(self) -> Xvfb:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
