"""A real i3 on its own IPC socket, a raw IPC client, and helpers to read its tree."""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from i3project_dbus.i3.ipc import EVENT_BIT, HEADER, EventType, MessageType, pack, parse_header

from .poll import poll
from .procs import Spawned, clean_env

Con = dict[str, Any]

SCRATCHPAD = "__i3_scratch"

# The harness speaks the service's own framing: one definition of the header, in ipc.py.
MsgType = MessageType


class I3IPC:
    """One blocking IPC connection; replies are read in full however large they are.

    After subscribe(), events that arrive while waiting for a reply are queued for
    read_event(), so requests and events can share the connection.
    """

    def __init__(self, path: str | os.PathLike[str], timeout: float = 5.0) -> None:
        self.path = str(path)
        self.timeout = timeout
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._events: deque[tuple[EventType, Any]] = deque()
        try:
            self._sock.settimeout(timeout)
            self._sock.connect(self.path)
        except BaseException:
            self._sock.close()
            raise

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> I3IPC:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def send(self, msg_type: MsgType, payload: str = "") -> None:
        self._sock.sendall(pack(msg_type, payload))

    def request_raw(self, msg_type: MsgType, payload: str = "") -> bytes:
        """Send one request and return the raw reply payload."""
        self.send(msg_type, payload)
        deadline = time.monotonic() + self.timeout
        while True:
            kind, body = self._read_message(deadline)
            if not kind & EVENT_BIT:
                if kind != msg_type:
                    raise ConnectionError(f"i3 replied with type {kind} to {msg_type.name}")
                return body
            self._events.append((EventType(kind & ~EVENT_BIT), json.loads(body)))

    def request(self, msg_type: MsgType, payload: str = "") -> Any:
        return json.loads(self.request_raw(msg_type, payload))

    def subscribe(self, events: Sequence[str]) -> None:
        reply = self.request(MsgType.SUBSCRIBE, json.dumps(list(events)))
        if not reply.get("success"):
            raise ConnectionError(f"i3 refused subscription to {events}: {reply}")

    def read_event(self, timeout: float | None = None) -> tuple[EventType, Any]:
        """Next event (type, parsed JSON), or TimeoutError."""
        if self._events:
            return self._events.popleft()
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        kind, body = self._read_message(deadline)
        if not kind & EVENT_BIT:
            raise ConnectionError(f"unexpected reply of type {kind} while waiting for an event")
        return EventType(kind & ~EVENT_BIT), json.loads(body)

    def _read_message(self, deadline: float) -> tuple[int, bytes]:
        length, kind = parse_header(self._read_exactly(HEADER.size, deadline))
        return kind, self._read_exactly(length, deadline)

    def _read_exactly(self, size: int, deadline: float) -> bytes:
        chunks: list[bytes] = []
        remaining = size
        while remaining:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"i3 IPC read timed out ({size - remaining}/{size} bytes)")
            self._sock.settimeout(left)
            chunk = self._sock.recv(min(remaining, 1 << 20))
            if not chunk:
                raise ConnectionError(f"i3 closed the IPC connection ({size - remaining}/{size})")
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)


def i3_config(extra: Sequence[str] = ()) -> str:
    """A minimal i3 config: no bar, no ipc-socket line (I3SOCK decides the socket)."""
    lines = [
        # Without this marker i3 may take the file for a v3 config, convert it, and add
        # the default bar (i3bar + i3status) on the way.
        "# i3 config file (v4)",
        "font pango:monospace 8",
        "focus_follows_mouse no",
        "mouse_warping none",
        "workspace_auto_back_and_forth no",
        "bindsym Mod4+1 workspace number 1",
        "bindsym Mod4+2 workspace number 2",
        *extra,
    ]
    return "\n".join(lines) + "\n"


class I3:
    """A real i3 on `display`, its IPC socket passed through the I3SOCK environment variable.

    The socket lives in a private temp dir unless `socket_path` names one (e.g. to start a
    second i3 on a new socket after the first is gone). Only one window manager can run on
    a display at a time; pass replace=True to take over from a running one (i3 --replace).
    """

    def __init__(
        self,
        display: str,
        socket_path: str | os.PathLike[str] | None = None,
        extra_config: Sequence[str] = (),
        timeout: float = 10.0,
        replace: bool = False,
        verbose: bool = False,
    ) -> None:
        self.display = display
        self.timeout = timeout
        self.tmpdir = Path(tempfile.mkdtemp(prefix="i3p-i3-"))
        self.socket = str(socket_path) if socket_path is not None else str(self.tmpdir / "i3.sock")
        self.config_path = self.tmpdir / "config"
        self.config_path.write_text(i3_config(extra_config))
        argv = ["i3", "-c", str(self.config_path), "--shmlog-size=0"]
        if replace:
            argv.append("--replace")
        if verbose:
            argv.append("-V")
        env = clean_env({"DISPLAY": display, "I3SOCK": self.socket})
        self._child = Spawned(argv, env=env, log_path=self.tmpdir / "i3.log")
        try:
            self.wait_ready(timeout)
        except BaseException:
            self._cleanup(self._child.kill)
            raise

    @property
    def pid(self) -> int:
        return self._child.pid

    def alive(self) -> bool:
        return self._child.alive()

    def log(self) -> str:
        return self._child.log()

    def ipc(self, timeout: float | None = None) -> I3IPC:
        """A new connection to this i3 (the caller closes it)."""
        return I3IPC(self.socket, self.timeout if timeout is None else timeout)

    def request(self, msg_type: MsgType, payload: str = "") -> Any:
        with self.ipc() as conn:
            return conn.request(msg_type, payload)

    def command(self, command: str) -> list[dict[str, Any]]:
        """RUN_COMMAND, like `i3-msg COMMAND`: one result dict per command in the chain."""
        result: list[dict[str, Any]] = self.request(MsgType.RUN_COMMAND, command)
        return result

    def tree(self) -> Con:
        result: Con = self.request(MsgType.GET_TREE)
        return result

    def tree_bytes(self) -> bytes:
        """The raw GET_TREE payload (to measure it)."""
        with self.ipc() as conn:
            return conn.request_raw(MsgType.GET_TREE)

    def version(self) -> dict[str, Any]:
        result: dict[str, Any] = self.request(MsgType.GET_VERSION)
        return result

    def marks(self) -> list[str]:
        result: list[str] = self.request(MsgType.GET_MARKS)
        return result

    def workspaces(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.request(MsgType.GET_WORKSPACES)
        return result

    def _try_version(self) -> dict[str, Any] | None:
        try:
            with self.ipc(timeout=1.0) as conn:
                version: dict[str, Any] = conn.request(MsgType.GET_VERSION)
                return version
        except OSError:
            return None

    def wait_ready(self, timeout: float | None = None) -> dict[str, Any]:
        """Poll GET_VERSION until i3 answers; fail at once, with its log, if i3 died."""
        limit = self.timeout if timeout is None else timeout
        answer = poll(
            lambda: (not self.alive()) or self._try_version(),
            timeout=limit,
            what=f"i3 to answer on {self.socket}",
        )
        if not self.alive():
            raise AssertionError(f"i3 exited while starting: {self._child.describe()}")
        assert isinstance(answer, dict)
        return answer

    def restart(self, timeout: float | None = None) -> None:
        """`restart` in place (same pid, i3 re-execs itself) and wait until IPC answers."""
        limit = self.timeout if timeout is None else timeout
        with self.ipc(timeout=limit) as conn:
            try:
                # i3 4.22 sends this reply from the restarted process; older versions
                # may close the connection instead, which is just as good a signal.
                reply = conn.request(MsgType.RUN_COMMAND, "restart")
            except ConnectionError:
                reply = [{"success": True}]
        if not reply or not reply[0].get("success"):
            raise AssertionError(f"i3 refused to restart: {reply}")
        self.wait_ready(limit)

    def _cleanup(self, end: Callable[[], int]) -> int:
        try:
            return end()
        finally:
            if Path(self.socket).parent != self.tmpdir:
                Path(self.socket).unlink(missing_ok=True)
            shutil.rmtree(self.tmpdir, ignore_errors=True)

    def stop(self, timeout: float = 5.0) -> int:
        """SIGTERM (i3 removes its socket and exits), SIGKILL after `timeout`."""
        return self._cleanup(lambda: self._child.stop(timeout))

    def kill(self) -> int:
        """SIGKILL: a crash, as far as clients can tell."""
        return self._cleanup(self._child.kill)

    def __enter__(self) -> I3:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def walk_cons(tree: Con, workspace: str | None = None) -> Iterator[tuple[Con, str | None]]:
    """Every con of a GET_TREE dict, tiled and floating, with the name of its workspace."""
    if tree.get("type") == "workspace":
        workspace = tree.get("name")
    yield tree, workspace
    for child in [*tree.get("nodes", ()), *tree.get("floating_nodes", ())]:
        yield from walk_cons(child, workspace)


def tree_windows(tree: Con) -> list[Con]:
    """Every window con (one with an X window), each a copy with `_workspace` added.

    `_workspace` is the workspace name, "__i3_scratch" for the scratchpad, None for a
    window outside any workspace (a dock client).
    """
    return [
        {**con, "_workspace": workspace}
        for con, workspace in walk_cons(tree)
        if con.get("window") is not None
    ]


def find_window(tree: Con, xid: int) -> Con | None:
    """The window con (with `_workspace`) for X window `xid`, or None."""
    return next((con for con in tree_windows(tree) if con["window"] == xid), None)
