"""A real headless sway 1.7 run as an unprivileged user, with its own bus and foot windows.

sway refuses to run as root, so when the tests run as root everything on the sway side
runs as the test user (scripts/ensure-test-user creates it; I3PROJECT_SWAY_USER names
another): sway itself, a private dbus-daemon, the service and the Wayland clients, each
through `runuser -u USER -- env -i ...`, in a private XDG_RUNTIME_DIR owned by that
user. The test process (root) reaches the bus through an `<allow user="root"/>` rule
and sway's IPC socket directly. Run as a normal user, everything runs as that user.

The native windows are foot terminals: `foot --app-id=ID` sets the Wayland app_id,
which the service treats as the window class.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import json
import os
import pwd
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pytest

from harness import I3IPC, Con, MsgType, poll, walk_cons
from harness.prereq import REQUIRE_ENV, SKIP_PREFIX
from harness.procs import Spawned
from harness_extra import BusError, Client

USER_ENV = "I3PROJECT_SWAY_USER"
DEFAULT_USER = "i3ptest"
ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"

_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <policy context="default">
    <allow user="root"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

_SWAY_CONFIG = """# sway config for the tests: one headless output, no bar, no XWayland
xwayland disable
output HEADLESS-1 resolution 1280x800
focus_follows_mouse no
"""


class Unavailable(Exception):
    """The sway side cannot run here; the message says what is missing."""


def _which_user() -> pwd.struct_passwd:
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid())
    name = os.environ.get(USER_ENV, DEFAULT_USER)
    try:
        return pwd.getpwnam(name)
    except KeyError:
        script = ROOT / "scripts" / "ensure-test-user"
        done = subprocess.run([str(script), name], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise Unavailable(f"no user {name!r}: {done.stderr.strip()}") from None
        return pwd.getpwnam(name)


class SwayUser:
    """Runs commands as the test user with exactly the environment given."""

    def __init__(self) -> None:
        self.pw = _which_user()
        self.name = self.pw.pw_name
        self.as_root = os.geteuid() == 0
        self.home = self.pw.pw_dir if os.path.isdir(self.pw.pw_dir) else "/tmp"
        self.python, self.pythonpath = self._find_python()

    def argv(self, argv: Sequence[str], env: Mapping[str, str]) -> list[str]:
        base = {"HOME": self.home, "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
        pairs = [f"{k}={v}" for k, v in {**base, **env}.items()]
        prefix = ["runuser", "-u", self.name, "--"] if self.as_root else []
        return [*prefix, "env", "-i", *pairs, *argv]

    def run(self, argv: Sequence[str], env: Mapping[str, str] | None = None) -> str:
        done = subprocess.run(
            self.argv(argv, env or {}), capture_output=True, text=True, timeout=30, check=False
        )
        if done.returncode != 0:
            raise Unavailable(f"{' '.join(argv)} as {self.name}: {done.stderr.strip()}")
        return done.stdout

    def own(self, path: Path) -> Path:
        if self.as_root:
            os.chown(path, self.pw.pw_uid, self.pw.pw_gid)
        return path

    def _find_python(self) -> tuple[str, str]:
        """An interpreter the user may run that imports the service and its dependencies.

        The venv's python may be a link into root's home (pyenv), out of the user's
        reach; then the system python of the same version runs with the venv's
        site-packages on PYTHONPATH (compiled extensions match: same version)."""
        site = sysconfig.get_paths()["purelib"]
        pythonpath = os.pathsep.join([str(SRC), site])
        version = f"python{sys.version_info.major}.{sys.version_info.minor}"
        candidates = [(sys.executable, pythonpath), (f"/usr/bin/{version}", pythonpath)]
        tried = []
        for n, (python, path) in enumerate(candidates):
            try:
                self.run([python, "-c", "import dbus_fast, i3project_dbus"], {"PYTHONPATH": path})
            except Unavailable as exc:
                tried.append(str(exc))
                if n == len(candidates) - 1 and len(candidates) == 2 and self.as_root:
                    # The checkout itself is out of reach (a clone under /root): stage a
                    # copy of the service and its dependencies where the user can read.
                    candidates.append((f"/usr/bin/{version}", _stage_packages()))
                continue
            return python, path
        raise Unavailable(
            "no python the test user can run with the service importable "
            f"(the venv and {SRC} must be readable by {self.name}): {'; '.join(tried)}"
        )


_STAGED: list[str] = []


def _stage_packages() -> str:
    """Copy the service and the packages it imports to a world-readable temp dir (once
    per test session; removed at exit)."""
    if _STAGED:
        return _STAGED[0]
    staged = Path(tempfile.mkdtemp(prefix="i3p-pylib-"))
    atexit.register(shutil.rmtree, staged, True)
    staged.chmod(0o755)
    shutil.copytree(SRC / "i3project_dbus", staged / "i3project_dbus")
    for name in ("dbus_fast",):  # all the service imports beside the stdlib
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.submodule_search_locations, name
        shutil.copytree(spec.submodule_search_locations[0], staged / name)
    for dirpath, dirnames, filenames in os.walk(staged):
        for d in dirnames:
            os.chmod(os.path.join(dirpath, d), 0o755)
        for f in filenames:
            os.chmod(os.path.join(dirpath, f), 0o644)
    _STAGED.append(str(staged))
    return str(staged)


class SwayStack:
    """sway + dbus-daemon (+ the service and windows on demand) as the test user."""

    def __init__(self, user: SwayUser, base: Path) -> None:
        for tool in ("sway", "foot", "dbus-daemon"):
            if shutil.which(tool) is None:
                raise Unavailable(f"{tool} is not installed (apt-get install {tool})")
        self.user = user
        self.children: list[Spawned] = []
        self.windows: dict[str, Spawned] = {}
        self.runtime = user.own(Path(tempfile.mkdtemp(prefix="i3p-sway-")))
        self.runtime.chmod(0o700)
        self.logs = base
        self.config = self.runtime / "config"
        self.state = self.runtime / "state"
        for path in (self.config, self.state):
            path.mkdir()
            user.own(path)
        (self.runtime / "sway.conf").write_text(self.sway_config())
        self.bus_socket = self.runtime / "bus"
        (self.runtime / "bus.conf").write_text(_BUS_CONFIG.format(socket=self.bus_socket))
        self.address = f"unix:path={self.bus_socket}"
        try:
            self._start_sway()
            self._start_bus()
        except BaseException:
            self.stop()
            raise

    def spawn(self, name: str, argv: Sequence[str], env: Mapping[str, str]) -> Spawned:
        child = Spawned(self.user.argv(argv, env), env=dict(os.environ), log_path=self.logs / name)
        self.children.append(child)
        return child

    def sway_config(self) -> str:
        return _SWAY_CONFIG

    def sway_env(self) -> dict[str, str]:
        """sway's environment (a subclass runs it on another wlroots backend)."""
        return {
            "XDG_RUNTIME_DIR": str(self.runtime),
            "WLR_BACKENDS": "headless",
            "WLR_LIBINPUT_NO_DEVICES": "1",
            "WLR_RENDERER": "pixman",
        }

    def _start_sway(self) -> None:
        env = self.sway_env()
        self.sway = self.spawn("sway.log", ["sway", "-c", str(self.runtime / "sway.conf")], env)

        def ready() -> str | None:
            if not self.sway.alive():
                raise Unavailable(f"sway exited: {self.sway.describe()}")
            for sock in self.runtime.glob("sway-ipc.*.sock"):
                try:
                    with I3IPC(sock, timeout=1.0) as conn:
                        conn.request(MsgType.GET_VERSION)
                    return str(sock)
                except OSError:
                    continue
            return None

        self.socket = poll(ready, timeout=15.0, what="sway to answer on its IPC socket")
        displays = [p.name for p in self.runtime.glob("wayland-*") if p.suffix != ".lock"]
        if not displays:
            raise Unavailable(f"sway made no Wayland socket: {self.sway.describe()}")
        self.wayland_display = displays[0]

    def _start_bus(self) -> None:
        self.bus = self.spawn(
            "dbus-daemon.log",
            ["dbus-daemon", f"--config-file={self.runtime / 'bus.conf'}", "--nofork"],
            {"XDG_RUNTIME_DIR": str(self.runtime)},
        )

        def ready() -> bool:
            if not self.bus.alive():
                raise Unavailable(f"dbus-daemon exited: {self.bus.describe()}")
            done = subprocess.run(
                ["busctl", f"--address={self.address}", "list"], capture_output=True, check=False
            )
            return done.returncode == 0

        poll(ready, timeout=10.0, what="the test user's dbus-daemon")

    def service_env(self) -> dict[str, str]:
        """No SWAYSOCK: the service finds sway's socket in its XDG_RUNTIME_DIR."""
        return {
            "DBUS_SESSION_BUS_ADDRESS": self.address,
            "XDG_RUNTIME_DIR": str(self.runtime),
            "XDG_CONFIG_HOME": str(self.config),
            "XDG_STATE_HOME": str(self.state),
            "PYTHONPATH": self.user.pythonpath,
        }

    def configure(self, settings: Mapping[str, Any]) -> None:
        """Write the service's config.json (it reads it at start)."""
        folder = self.config / "i3project"
        folder.mkdir(exist_ok=True)
        self.user.own(folder)
        (folder / "config.json").write_text(json.dumps(settings))

    def start_service(self, n: int = 0, launcher: bool = False) -> Spawned:
        """launcher: with WAYLAND_DISPLAY, as a session starts it, for the apps it launches."""
        env = self.service_env()
        if launcher:
            env["WAYLAND_DISPLAY"] = self.wayland_display
        argv = [self.user.python, "-m", "i3project_dbus", "--verbose"]
        return self.spawn(f"service-{n}.log", argv, env)

    def open_window(self, app_id: str, title: str) -> Spawned:
        """A foot terminal with this app_id and title (running `sleep`, no shell)."""
        env = {"XDG_RUNTIME_DIR": str(self.runtime), "WAYLAND_DISPLAY": self.wayland_display}
        argv = ["foot", f"--app-id={app_id}", f"--title={title}", "sleep", "3600"]
        child = self.spawn(f"foot-{len(self.children)}.log", argv, env)
        self.windows[title] = child
        return child

    def ipc(self) -> I3IPC:
        return I3IPC(self.socket)

    def command(self, command: str) -> list[dict[str, Any]]:
        with self.ipc() as conn:
            result: list[dict[str, Any]] = conn.request(MsgType.RUN_COMMAND, command)
        return result

    def tree(self) -> Con:
        with self.ipc() as conn:
            result: Con = conn.request(MsgType.GET_TREE)
        return result

    def stop(self) -> None:
        # SIGKILL to each process group: runuser does not pass SIGTERM on promptly, and
        # nothing here needs a graceful end (the service's own SIGTERM path is tested on i3).
        for child in reversed(self.children):
            child.kill()
        shutil.rmtree(self.runtime, ignore_errors=True)


def sway_windows(tree: Con) -> list[Con]:
    """Every native or X window con, with `_workspace` added (tree_windows counts X
    windows only: a native Wayland view has `window: null` and an app_id)."""
    return [
        {**con, "_workspace": ws}
        for con, ws in walk_cons(tree)
        if con.get("type") in ("con", "floating_con") and (con.get("app_id") or con.get("window"))
    ]


Stack = TypeVar("Stack", bound=SwayStack)


@contextlib.contextmanager
def running(make: Callable[[], Stack]) -> Iterator[Stack]:
    """The stack ``make`` starts, stopped after; the test skips (or, under
    I3PROJECT_REQUIRE_INTEGRATION, fails) when sway cannot run here."""
    try:
        stack = make()
    except Unavailable as exc:
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(f"sway cannot run here: {exc}", pytrace=False)
        pytest.skip(f"{SKIP_PREFIX} sway cannot run here: {exc}")
    try:
        yield stack
    finally:
        stack.stop()


def start_service(
    sway: SwayStack, n: int = 0, launcher: bool = False, timeout: float = 10.0
) -> tuple[Spawned, Client]:
    """The service (see SwayStack.start_service) and, once it is Connected, a client whose
    calls time out after ``timeout``."""
    proc = sway.start_service(n, launcher)

    def ready() -> Client | None:
        if not proc.alive():
            raise AssertionError(f"the service exited: {proc.describe()}")
        try:
            client = Client(sway.address, timeout=timeout)
        except OSError:
            return None
        with contextlib.suppress(BusError):
            if client.get("Connected"):
                return client
        client.close()
        return None

    try:
        return proc, poll(ready, timeout=20.0, interval=0.05, what="the service on sway")
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{proc.describe()}") from None
