"""Socket discovery against fake i3 servers: live, stale, silent and non-i3 sockets."""

import logging
import os
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from i3project_dbus.i3 import discovery
from i3project_dbus.i3.discovery import candidate_sockets, discover_socket, socket_is_live
from i3project_dbus.i3.ipc import HEADER, MessageType, pack


class FakeI3:
    """A threaded unix server that answers i3-ipc GET_VERSION like i3 does.

    ``mode`` "i3" replies properly, "silent" accepts and never answers, "garbage" answers
    with bytes that are not i3-ipc. Requests are recorded to prove a real message went out.
    """

    def __init__(self, path: Path, mode: str = "i3") -> None:
        self.path = path
        self.mode = mode
        self.requests: list[tuple[bytes, int, int]] = []
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.bind(str(path))
        self._sock.listen(8)
        self._sock.settimeout(0.05)  # so that close() is noticed within 50 ms
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                self._answer(conn)

    def _answer(self, conn: socket.socket) -> None:
        conn.settimeout(2)
        data = b""
        while len(data) < HEADER.size:
            chunk = conn.recv(HEADER.size - len(data))
            if not chunk:
                return
            data += chunk
        self.requests.append(HEADER.unpack(data))
        if self.mode == "silent":
            self._stop.wait(2)
            return
        if self.mode == "garbage":
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
            return
        payload = b'{"major": 4, "minor": 23, "human_readable": "4.23 (fake)"}'
        conn.sendall(pack(MessageType.GET_VERSION, payload))

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(timeout=5)


@pytest.fixture
def runtime_dir() -> Iterator[Path]:
    # Not tmp_path: AF_UNIX paths are limited to 108 bytes and tmp_path can be longer.
    path = Path(tempfile.mkdtemp(prefix="i3disc-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def servers() -> Iterator[list[FakeI3]]:
    started: list[FakeI3] = []
    yield started
    for server in started:
        server.close()


def stale_socket(path: Path) -> Path:
    """A socket file nobody listens on: what a crashed i3 leaves behind."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    sock.close()
    return path


def set_mtime(path: Path, mtime: float) -> None:
    os.utime(path, (mtime, mtime), follow_symlinks=False)


# -- candidates ---------------------------------------------------------------------


def test_i3sock_comes_before_the_runtime_dir(runtime_dir: Path) -> None:
    (runtime_dir / "i3").mkdir()
    stale_socket(runtime_dir / "i3" / "ipc-socket.1")
    env = {"I3SOCK": "/x/i3", "XDG_RUNTIME_DIR": str(runtime_dir)}
    assert candidate_sockets(env) == ["/x/i3", str(runtime_dir / "i3" / "ipc-socket.1")]


def test_i3sock_then_swaysock_deduplicated() -> None:
    assert candidate_sockets({"I3SOCK": "/a", "SWAYSOCK": "/b"}) == ["/a", "/b"]
    assert candidate_sockets({"I3SOCK": "/a", "SWAYSOCK": "/a"}) == ["/a"]
    assert candidate_sockets({"SWAYSOCK": "/s"}) == ["/s"]
    assert candidate_sockets({"I3SOCK": "", "SWAYSOCK": "/s"}) == ["/s"]


def test_runtime_dir_candidates_newest_first(runtime_dir: Path) -> None:
    (runtime_dir / "i3").mkdir()
    old_i3 = stale_socket(runtime_dir / "i3" / "ipc-socket.100")
    sway = stale_socket(runtime_dir / "sway-ipc.1000.200.sock")
    new_i3 = stale_socket(runtime_dir / "i3" / "ipc-socket.300")
    (runtime_dir / "unrelated.sock").touch()
    (runtime_dir / "i3" / "other-file").touch()
    set_mtime(old_i3, 1_000)
    set_mtime(sway, 2_000)
    set_mtime(new_i3, 3_000)
    env = {"XDG_RUNTIME_DIR": str(runtime_dir)}
    assert candidate_sockets(env) == [str(new_i3), str(sway), str(old_i3)]


def test_no_environment_no_candidates(runtime_dir: Path) -> None:
    assert candidate_sockets({}) == []
    assert candidate_sockets({"XDG_RUNTIME_DIR": str(runtime_dir)}) == []
    assert candidate_sockets({"XDG_RUNTIME_DIR": str(runtime_dir / "missing")}) == []


# -- liveness -----------------------------------------------------------------------


def test_live_server_gets_a_real_get_version(runtime_dir: Path, servers: list[FakeI3]) -> None:
    server = FakeI3(runtime_dir / "live.sock")
    servers.append(server)
    assert socket_is_live(str(server.path))
    assert server.requests == [(b"i3-ipc", 0, MessageType.GET_VERSION)]


def test_stale_missing_silent_and_foreign_sockets_are_not_live(
    runtime_dir: Path, servers: list[FakeI3]
) -> None:
    stale = stale_socket(runtime_dir / "stale.sock")
    silent = FakeI3(runtime_dir / "silent.sock", mode="silent")
    garbage = FakeI3(runtime_dir / "garbage.sock", mode="garbage")
    servers.extend([silent, garbage])
    regular = runtime_dir / "regular-file"
    regular.touch()
    assert not socket_is_live(str(stale))
    assert not socket_is_live(str(runtime_dir / "missing.sock"))
    assert not socket_is_live(str(regular))
    assert not socket_is_live(str(silent.path), timeout=0.2)
    assert not socket_is_live(str(garbage.path))


def test_discover_skips_stale_newer_socket(runtime_dir: Path, servers: list[FakeI3]) -> None:
    (runtime_dir / "i3").mkdir()
    live = FakeI3(runtime_dir / "i3" / "ipc-socket.10")
    servers.append(live)
    stale = stale_socket(runtime_dir / "i3" / "ipc-socket.20")
    set_mtime(live.path, 1_000)
    set_mtime(stale, 2_000)
    env = {"XDG_RUNTIME_DIR": str(runtime_dir)}
    assert candidate_sockets(env)[0] == str(stale)
    assert discover_socket(env) == str(live.path)


def test_discover_finds_sway_socket(runtime_dir: Path, servers: list[FakeI3]) -> None:
    live = FakeI3(runtime_dir / f"sway-ipc.{os.getuid()}.4242.sock")
    servers.append(live)
    assert discover_socket({"XDG_RUNTIME_DIR": str(runtime_dir)}) == str(live.path)


def test_stale_i3sock_falls_back_to_the_live_socket_in_the_runtime_dir(
    runtime_dir: Path, servers: list[FakeI3]
) -> None:
    # i3 exited and a new one started: the environment still names the old socket.
    (runtime_dir / "i3").mkdir()
    servers.append(FakeI3(runtime_dir / "i3" / "ipc-socket.1"))
    stale = stale_socket(runtime_dir / "old-i3sock")
    env = {"I3SOCK": str(stale), "XDG_RUNTIME_DIR": str(runtime_dir)}
    assert discover_socket(env) == str(runtime_dir / "i3" / "ipc-socket.1")


def test_rejections_are_logged_at_debug(
    runtime_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    stale = stale_socket(runtime_dir / "stale.sock")
    with caplog.at_level(logging.DEBUG, logger=discovery.__name__):
        result = discovery.probe({"I3SOCK": str(stale)})
    assert result.path is None
    assert str(stale) in result.reason
    debug = [r for r in caplog.records if r.levelno == logging.DEBUG]
    assert any(str(stale) in r.getMessage() for r in debug)
    assert all(r.levelno == logging.DEBUG for r in caplog.records)
