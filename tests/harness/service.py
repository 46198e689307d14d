"""The service under test as a child process: `python -m i3project_dbus --verbose`."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from .bus import busctl_rc
from .poll import poll
from .procs import Spawned, clean_env

BUS_NAME = "org.i3project.Manager1"
MANAGER_PATH = "/org/i3project/Manager1"
MANAGER_IFACE = "org.i3project.Manager1"

# tests/harness/service.py -> the repository's src/, so the service runs from the working
# tree even when the package is not installed into the venv.
SRC_DIR = Path(__file__).resolve().parents[2] / "src"


@dataclass(frozen=True, slots=True)
class XdgDirs:
    """XDG_CONFIG_HOME, XDG_STATE_HOME and XDG_RUNTIME_DIR for one service run."""

    config: Path
    state: Path
    runtime: Path

    @classmethod
    def create(cls, base: Path) -> XdgDirs:
        """config/ and state/ under `base`; the runtime dir short, private and separate.

        The runtime dir may hold unix sockets, whose paths are limited to 107 bytes.
        """
        dirs = cls(base / "config", base / "state", Path(tempfile.mkdtemp(prefix="i3p-run-")))
        dirs.config.mkdir(parents=True, exist_ok=True)
        dirs.state.mkdir(parents=True, exist_ok=True)
        dirs.runtime.chmod(0o700)
        return dirs

    def env(self) -> dict[str, str]:
        return {
            "XDG_CONFIG_HOME": str(self.config),
            "XDG_STATE_HOME": str(self.state),
            "XDG_RUNTIME_DIR": str(self.runtime),
        }

    def remove_runtime(self) -> None:
        shutil.rmtree(self.runtime, ignore_errors=True)


def service_argv(extra_args: Sequence[str] = ()) -> list[str]:
    return [sys.executable, "-m", "i3project_dbus", "--verbose", *extra_args]


class ServiceProcess:
    """The service, started with a clean environment plus `env`, its output in a log file.

    `env` should carry DBUS_SESSION_BUS_ADDRESS (the private bus), I3SOCK and the XDG_*
    directories; variables of the developer's desktop session are never inherited.
    `argv` replaces the command line (e.g. to run a stand-in service).
    """

    def __init__(
        self,
        env: Mapping[str, str],
        log_path: str | os.PathLike[str],
        extra_args: Sequence[str] = (),
        argv: Sequence[str] | None = None,
    ) -> None:
        if "DBUS_SESSION_BUS_ADDRESS" not in env:
            raise ValueError("ServiceProcess needs DBUS_SESSION_BUS_ADDRESS in env")
        full_env = clean_env(env)
        pythonpath = [str(SRC_DIR), full_env.get("PYTHONPATH", "")]
        full_env["PYTHONPATH"] = os.pathsep.join(p for p in pythonpath if p)
        self.address = env["DBUS_SESSION_BUS_ADDRESS"]
        self.env = full_env
        self._child = Spawned(
            list(argv) if argv is not None else service_argv(extra_args),
            env=full_env,
            log_path=Path(log_path),
        )

    @property
    def pid(self) -> int:
        return self._child.pid

    @property
    def returncode(self) -> int | None:
        return self._child.returncode

    def alive(self) -> bool:
        return self._child.alive()

    def log(self) -> str:
        return self._child.log()

    def has_owner(self) -> bool:
        """Whether anything owns the service's bus name on the private bus."""
        rc, _, _ = busctl_rc(self.address, "status", BUS_NAME, timeout=5.0)
        return rc == 0

    def connected(self) -> bool:
        """The service's Connected property (its i3 connection is up)."""
        rc, out, _ = busctl_rc(
            self.address,
            "get-property", BUS_NAME, MANAGER_PATH, MANAGER_IFACE, "Connected",
            timeout=5.0,
        )  # fmt: skip
        return rc == 0 and out.strip() == "b true"

    def wait_ready(self, timeout: float = 10.0, connected: bool = True) -> None:
        """Poll until the bus name has an owner and (if `connected`) Connected is true.

        Fails at once, with the log, if the service exits meanwhile.
        """

        def ready() -> bool:
            if not self.alive():
                return True
            return self.has_owner() and (not connected or self.connected())

        try:
            poll(ready, timeout=timeout, interval=0.02, what=f"{BUS_NAME} to become ready")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self._child.describe()}") from None
        if not self.alive():
            raise AssertionError(f"the service exited while starting: {self._child.describe()}")

    def signal(self, sig: signal.Signals) -> None:
        self._child.signal(sig)

    def terminate(self, timeout: float = 10.0) -> int:
        """SIGTERM and wait; return the exit code. AssertionError (after SIGKILL) on timeout."""
        self._child.signal(signal.SIGTERM)
        rc = self._child.wait(timeout)
        self._child.kill()
        if rc is None:
            raise AssertionError(
                f"service ignored SIGTERM for {timeout}s, killed: {self._child.describe()}"
            )
        return rc

    def kill(self) -> int:
        """SIGKILL the service's process group (a crash, as far as the bus can tell)."""
        return self._child.kill()

    def __enter__(self) -> ServiceProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.alive():
            self.terminate()
        else:
            self.kill()
