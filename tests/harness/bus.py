"""A private dbus-daemon per test, and the real busctl/gdbus tools pointed at it."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from xml.sax.saxutils import escape

from .procs import CommandError, Spawned, clean_env, read_fd_line, run_tool

_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:dir={listen_dir}</listen>
{servicedirs}
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class DBusDaemon:
    """A private session-type bus with its own config file in a temp dir.

    dbus-daemon refuses `--session` together with `--config-file`, so the config file
    declares `<type>session</type>` itself. Readiness is the address the daemon prints
    once it listens; nothing is guessed. `servicedirs` become `<servicedir>` entries for
    D-Bus activation; activated services inherit the daemon's environment, which is
    clean_env() plus `env`.
    """

    def __init__(
        self,
        servicedirs: Sequence[str | os.PathLike[str]] = (),
        env: Mapping[str, str] | None = None,
        timeout: float = 10.0,
    ) -> None:
        # A short path of our own: unix socket paths are limited to 107 bytes, and
        # pytest's tmp_path can be longer than that.
        self.tmpdir = Path(tempfile.mkdtemp(prefix="i3p-bus-"))
        self.config_path = self.tmpdir / "bus.conf"
        dirs = "\n".join(
            f"  <servicedir>{escape(str(Path(d).resolve()))}</servicedir>" for d in servicedirs
        )
        self.config_path.write_text(
            _CONFIG.format(listen_dir=escape(str(self.tmpdir)), servicedirs=dirs)
        )
        addr_r, addr_w = os.pipe()
        pid_r, pid_w = os.pipe()
        try:
            self._child = Spawned(
                [
                    "dbus-daemon",
                    f"--config-file={self.config_path}",
                    "--nofork",
                    f"--print-address={addr_w}",
                    f"--print-pid={pid_w}",
                ],
                env=clean_env(env),
                log_path=self.tmpdir / "dbus-daemon.log",
                pass_fds=(addr_w, pid_w),
            )
            os.close(addr_w)
            os.close(pid_w)
            addr_w = pid_w = -1
            self.address = read_fd_line(addr_r, timeout, self._child, "the bus address")
            self.pid = int(read_fd_line(pid_r, timeout, self._child, "the bus pid"))
        except BaseException:
            if hasattr(self, "_child"):
                self._child.kill()
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            raise
        finally:
            for fd in (addr_r, addr_w, pid_r, pid_w):
                if fd >= 0:
                    os.close(fd)

    def env(self) -> dict[str, str]:
        """The variables a client needs to reach this bus."""
        return {"DBUS_SESSION_BUS_ADDRESS": self.address}

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

    def __enter__(self) -> DBusDaemon:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def busctl_rc(address: str, *args: str, timeout: float = 30.0) -> tuple[int, str, str]:
    """`busctl --address=ADDR ARGS...` -> (rc, stdout, stderr)."""
    return run_tool(["busctl", f"--address={address}", *args], env=clean_env(), timeout=timeout)


def busctl(address: str, *args: str, timeout: float = 30.0) -> str:
    """`busctl --address=ADDR ARGS...` -> stdout; CommandError (with stderr) on failure."""
    argv = ["busctl", f"--address={address}", *args]
    rc, out, err = run_tool(argv, env=clean_env(), timeout=timeout)
    if rc != 0:
        raise CommandError(argv, rc, out, err)
    return out


def _gdbus_argv(args: Sequence[str]) -> list[str]:
    # gdbus takes the bus option after its subcommand: `gdbus call --session --dest ...`.
    if not args:
        raise ValueError("gdbus needs a subcommand (call, introspect, emit, wait, ...)")
    return ["gdbus", args[0], "--session", *args[1:]]


def gdbus_rc(address: str, *args: str, timeout: float = 30.0) -> tuple[int, str, str]:
    """`DBUS_SESSION_BUS_ADDRESS=ADDR gdbus CMD --session ARGS...` -> (rc, stdout, stderr)."""
    env = clean_env({"DBUS_SESSION_BUS_ADDRESS": address})
    return run_tool(_gdbus_argv(args), env=env, timeout=timeout)


def gdbus(address: str, *args: str, timeout: float = 30.0) -> str:
    """Like gdbus_rc, but returns stdout and raises CommandError (with stderr) on failure."""
    argv = _gdbus_argv(args)
    env = clean_env({"DBUS_SESSION_BUS_ADDRESS": address})
    rc, out, err = run_tool(argv, env=env, timeout=timeout)
    if rc != 0:
        raise CommandError(argv, rc, out, err)
    return out
