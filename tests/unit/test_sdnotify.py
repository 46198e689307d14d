"""sd_notify against a real datagram socket standing in for systemd."""

import asyncio
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from i3project_dbus.sdnotify import notify, watchdog_interval, watchdog_loop


class FakeSystemd:
    """A bound AF_UNIX datagram socket that collects notifications, like systemd's."""

    def __init__(self, address: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.sock.settimeout(5)

    def receive(self) -> str:
        return self.sock.recv(4096).decode()

    def pending(self) -> list[str]:
        self.sock.setblocking(False)
        messages = []
        try:
            while True:
                messages.append(self.sock.recv(4096).decode())
        except BlockingIOError:
            pass
        finally:
            self.sock.settimeout(5)
        return messages


@pytest.fixture
def short_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="sdn-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def systemd(short_dir: Path) -> Iterator[tuple[FakeSystemd, str]]:
    path = str(short_dir / "notify")
    fake = FakeSystemd(path)
    yield fake, path
    fake.sock.close()


@pytest.fixture
def abstract_systemd() -> Iterator[tuple[FakeSystemd, str]]:
    name = f"i3project-test-notify-{os.getpid()}-{id(object())}"
    fake = FakeSystemd("\0" + name)
    yield fake, "@" + name
    fake.sock.close()


def test_ready_reaches_a_path_socket(systemd: tuple[FakeSystemd, str]) -> None:
    fake, path = systemd
    assert notify("READY=1", {"NOTIFY_SOCKET": path})
    assert fake.receive() == "READY=1"


def test_abstract_socket(abstract_systemd: tuple[FakeSystemd, str]) -> None:
    fake, address = abstract_systemd
    assert notify("READY=1\nSTATUS=connected to i3", {"NOTIFY_SOCKET": address})
    assert fake.receive() == "READY=1\nSTATUS=connected to i3"


def test_reads_os_environ_by_default(
    systemd: tuple[FakeSystemd, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, path = systemd
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    assert notify("WATCHDOG=1")
    assert fake.receive() == "WATCHDOG=1"


def test_no_socket_or_dead_socket_returns_false(short_dir: Path) -> None:
    assert not notify("READY=1", {})
    assert not notify("READY=1", {"NOTIFY_SOCKET": ""})
    assert not notify("READY=1", {"NOTIFY_SOCKET": str(short_dir / "nobody")})
    assert not notify("READY=1", {"NOTIFY_SOCKET": "vsock:2:1234"})


def test_watchdog_interval_is_half_of_watchdog_usec() -> None:
    env = {"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "30000000"}
    assert watchdog_interval(env) == 15.0
    assert watchdog_interval({**env, "WATCHDOG_PID": str(os.getpid())}) == 15.0


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"WATCHDOG_USEC": "30000000"},  # nowhere to send the pings
        {"NOTIFY_SOCKET": "/run/x"},
        {"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "0"},
        {"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "-5"},
        {"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "thirty"},
        {"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"},
        {"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "me"},
    ],
)
def test_watchdog_off(env: dict[str, str]) -> None:
    assert watchdog_interval(env) is None


async def test_watchdog_loop_pings_at_the_interval(systemd: tuple[FakeSystemd, str]) -> None:
    fake, path = systemd
    env = {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "100000", "WATCHDOG_PID": str(os.getpid())}
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(watchdog_loop(env))
    try:
        first = await loop.run_in_executor(None, fake.receive)
        second = await loop.run_in_executor(None, fake.receive)
    finally:
        task.cancel()
    assert (first, second) == ("WATCHDOG=1", "WATCHDOG=1")
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_watchdog_loop_returns_when_disabled(systemd: tuple[FakeSystemd, str]) -> None:
    fake, path = systemd
    await asyncio.wait_for(watchdog_loop({"NOTIFY_SOCKET": path}), timeout=1)
    assert fake.pending() == []
