"""The bench's own world: Xvfb, a private dbus-daemon, a real i3 and the service, as processes.

Kept apart from tests/harness on purpose: the bench runs outside pytest, with no debug
logging in the service (a --verbose service would measure its own logging), and it
needs a few things the tests do not: a chosen display range, a restartable service
and an i3 IPC proxy that counts round trips.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from i3project_dbus.dbus.names import BUS_NAME, MANAGER_IFACE, MANAGER_PATH
from i3project_dbus.i3.ipc import (
    EVENT_BIT,
    HEADER,
    Decoder,
    EventType,
    MessageType,
    pack,
    parse_header,
    recv_exactly,
)

from .dbus import Client

ROOT = Path(__file__).resolve().parents[1]

# Our own display numbers, so that the bench never meets a test run's Xvfb.
DISPLAYS = range(61, 70)
SESSION_VARS = ("DBUS_SESSION_BUS_ADDRESS", "I3SOCK", "SWAYSOCK", "DISPLAY", "WAYLAND_DISPLAY")

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

I3_CONFIG = """# i3 config file (v4)
font pango:monospace 8
focus_follows_mouse no
mouse_warping none
workspace_auto_back_and_forth no
"""


def wait_for(
    predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.01
) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


# -- raw i3 IPC ----------------------------------------------------------------


class I3Raw:
    """A blocking i3 IPC connection: the floor client (no library between us and i3)."""

    def __init__(self, path: str, timeout: float = 30.0) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)

    def close(self) -> None:
        self.sock.close()

    def send(self, kind: int, payload: str | bytes = b"") -> None:
        self.sock.sendall(pack(kind, payload))

    def read(self) -> tuple[int, bytes]:
        length, kind = parse_header(recv_exactly(self.sock, HEADER.size))
        return kind, recv_exactly(self.sock, length)

    def request(self, kind: int, payload: str | bytes = b"") -> Any:
        self.send(kind, payload)
        while True:
            got, body = self.read()
            if not got & EVENT_BIT:
                return json.loads(body)

    def command(self, cmd: str) -> list[dict[str, Any]]:
        replies: list[dict[str, Any]] = self.request(MessageType.RUN_COMMAND, cmd)
        bad = [r for r in replies if not r.get("success")]
        if bad:
            raise RuntimeError(f"i3 command failed: {bad[:3]} ({cmd[:200]})")
        return replies

    def tree(self) -> dict[str, Any]:
        result: dict[str, Any] = self.request(MessageType.GET_TREE)
        return result


class I3Subscriber(threading.Thread):
    """A raw subscriber on its own thread: stamps every event with the time it arrived."""

    def __init__(
        self, path: str, events: Sequence[str], on_event: Callable[[int, str, dict[str, Any]], None]
    ) -> None:
        super().__init__(daemon=True)
        self.conn = I3Raw(path, timeout=None)  # type: ignore[arg-type]
        reply = self.conn.request(MessageType.SUBSCRIBE, json.dumps(list(events)))
        if not reply.get("success"):
            raise RuntimeError(f"subscription refused: {reply}")
        self.on_event = on_event
        self.start()

    def run(self) -> None:
        with contextlib.suppress(OSError, ConnectionError):
            while True:
                kind, body = self.conn.read()
                now = time.time_ns()
                if kind & EVENT_BIT:
                    name = EventType(kind & ~EVENT_BIT).subscription
                    self.on_event(now, name, json.loads(body))

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        self.conn.close()
        self.join(2)


class CountingProxy:
    """A unix-socket proxy in front of i3 that counts the messages each client sends.

    Used only in a separate counting pass: a proxy adds latency, so no timing is ever
    taken through it.
    """

    def __init__(self, upstream: str, path: str) -> None:
        self.upstream = upstream
        self.path = path
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(path)
        self._server.listen(8)
        self._socks: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def snapshot(self) -> Counter[str]:
        with self._lock:
            return Counter(self.counts)

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                client, _ = self._server.accept()
                up = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                up.connect(self.upstream)
                self._socks += [client, up]
                threading.Thread(target=self._pump, args=(client, up, True), daemon=True).start()
                threading.Thread(target=self._pump, args=(up, client, False), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, count: bool) -> None:
        decoder = Decoder()
        with contextlib.suppress(OSError):
            while True:
                data = src.recv(1 << 16)
                if not data:
                    break
                dst.sendall(data)
                if count:
                    decoder.feed(data)
                    self._count(decoder)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    def _count(self, decoder: Decoder) -> None:
        while (message := decoder.next_message()) is not None:
            try:
                name = MessageType(message[0]).name
            except ValueError:
                name = str(message[0])
            with self._lock:
                self.counts[name] += 1

    def close(self) -> None:
        for s in [self._server, *self._socks]:
            with contextlib.suppress(OSError):
                s.close()


# -- processes -----------------------------------------------------------------


class Proc:
    """A child in its own process group, output to a log file; killed as a group."""

    def __init__(
        self, argv: Sequence[str], env: Mapping[str, str], log: Path, pass_fds: Sequence[int] = ()
    ) -> None:
        self.argv = list(argv)
        self.log_path = log
        self.started_ns = time.time_ns()
        with open(log, "ab") as out:
            self.popen = subprocess.Popen(
                self.argv,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                pass_fds=tuple(pass_fds),
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 5.0) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(2)


def _read_line(fd: int, timeout: float, what: str) -> str:
    deadline = time.monotonic() + timeout
    data = b""
    os.set_blocking(fd, False)
    while b"\n" not in data:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} after {timeout}s")
        try:
            chunk = os.read(fd, 4096)
        except BlockingIOError:
            time.sleep(0.005)
            continue
        if not chunk:
            raise RuntimeError(f"process exited before printing {what}")
        data += chunk
    return data.split(b"\n", 1)[0].decode().strip()


def _free_display() -> int:
    for n in DISPLAYS:
        if not Path(f"/tmp/.X{n}-lock").exists() and not Path(f"/tmp/.X11-unix/X{n}").exists():
            return n
    raise RuntimeError(f"no free X display in :{DISPLAYS.start}-:{DISPLAYS.stop - 1}")


def venv_python() -> str:
    candidate = ROOT / ".venv" / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


class Environment:
    """Xvfb + dbus-daemon + i3 (+ the service, restartable), all under one temp dir."""

    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="i3p-bench-"))
        self.procs: list[Proc] = []
        self.service: Proc | None = None
        self.proxy: CountingProxy | None = None
        base = {k: v for k, v in os.environ.items() if k not in SESSION_VARS}
        for sub in ("config", "state", "runtime"):
            (self.tmp / sub).mkdir(mode=0o700)
        base.update(
            XDG_CONFIG_HOME=str(self.tmp / "config"),
            XDG_STATE_HOME=str(self.tmp / "state"),
            XDG_RUNTIME_DIR=str(self.tmp / "runtime"),
        )
        self.env: dict[str, str] = base
        try:
            self._start_x()
            self._start_bus()
            self._start_i3()
        except BaseException:
            self.close()
            raise

    def _spawn(
        self,
        argv: Sequence[str],
        name: str,
        env: Mapping[str, str] | None = None,
        pass_fds: Sequence[int] = (),
    ) -> Proc:
        proc = Proc(argv, env or self.env, self.tmp / f"{name}.log", pass_fds)
        self.procs.append(proc)
        return proc

    def _start_x(self) -> None:
        last: Exception | None = None
        for _ in range(3):
            n = _free_display()
            r, w = os.pipe()
            proc = self._spawn(
                [
                    "Xvfb",
                    f":{n}",
                    "-screen",
                    "0",
                    "1280x800x24",
                    "-nolisten",
                    "tcp",
                    "-noreset",
                    "-displayfd",
                    str(w),
                ],
                "xvfb",
                pass_fds=(w,),
            )
            os.close(w)
            try:
                _read_line(r, 10, "display number")
                self.display = f":{n}"
                self.env["DISPLAY"] = self.display
                self.xvfb = proc
                return
            except (TimeoutError, RuntimeError) as exc:
                last = exc
                proc.stop()
            finally:
                os.close(r)
        raise RuntimeError(f"Xvfb did not start: {last}")

    def _start_bus(self) -> None:
        conf = self.tmp / "bus.conf"
        conf.write_text(BUS_CONFIG.format(dir=self.tmp))
        r, w = os.pipe()
        self.bus = self._spawn(
            ["dbus-daemon", f"--config-file={conf}", "--nofork", f"--print-address={w}"],
            "dbus",
            pass_fds=(w,),
        )
        os.close(w)
        try:
            self.bus_address = _read_line(r, 10, "bus address")
        finally:
            os.close(r)
        self.env["DBUS_SESSION_BUS_ADDRESS"] = self.bus_address

    def _start_i3(self) -> None:
        conf = self.tmp / "i3.conf"
        conf.write_text(I3_CONFIG)
        self.i3sock = str(self.tmp / "i3.sock")
        self.env["I3SOCK"] = self.i3sock
        self.i3 = self._spawn(["i3", "-c", str(conf), "--shmlog-size=0"], "i3")

        def ready() -> bool:
            try:
                conn = I3Raw(self.i3sock, 1)
            except OSError:
                return False
            conn.close()
            return True

        wait_for(ready, 10, "i3 to answer")
        self.ipc = I3Raw(self.i3sock)

    def helper_env(self) -> dict[str, str]:
        """The environment for the bench's own helper processes (they import bench.*)."""
        return {**self.env, "PYTHONPATH": str(ROOT)}

    # -- the service -------------------------------------------------------------

    def service_argv(self, socket_path: str | None = None) -> list[str]:
        argv = [venv_python(), "-m", "i3project_dbus"]
        if socket_path:
            argv += ["--socket", socket_path]
        return argv

    def start_service(self, counting: bool = False, wait: bool = True) -> Proc:
        self.stop_service()
        path = None
        if counting:
            path = str(self.tmp / "proxy.sock")
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            self.proxy = CountingProxy(self.i3sock, path)
        self.service = self._spawn(self.service_argv(path), "service")
        if wait:
            with Client(self.bus_address) as client:
                wait_for(
                    lambda: not self.service.alive() or client.has_owner(BUS_NAME),  # type: ignore[union-attr]
                    20,
                    "the service's bus name",
                )
                if not self.service.alive():
                    raise RuntimeError(f"the service exited: see {self.service.log_path}")
                wait_for(
                    lambda: client.get(MANAGER_PATH, MANAGER_IFACE, "Connected"),
                    10,
                    "the service to connect to i3",
                )
        return self.service

    def stop_service(self) -> None:
        if self.service is not None:
            self.service.stop()
            self.procs.remove(self.service)
            self.service = None
        if self.proxy is not None:
            self.proxy.close()
            self.proxy = None

    def close(self) -> None:
        for attr in ("ipc",):
            conn = getattr(self, attr, None)
            if conn is not None:
                conn.close()
        if self.proxy is not None:
            self.proxy.close()
        for proc in reversed(self.procs):
            proc.stop()
        self.procs.clear()
        if os.environ.get("I3P_BENCH_KEEP"):
            print(f"[bench] kept {self.tmp} (logs)", file=sys.stderr)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> Environment:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")
