"""Desktop integration against the real service: D-Bus activation, socket discovery
without I3SOCK or DISPLAY, and switch notifications to a python-dbusmock daemon."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from harness import (
    BUS_NAME,
    I3,
    MANAGER_IFACE,
    MANAGER_PATH,
    DBusDaemon,
    ServiceProcess,
    XdgDirs,
    busctl,
    busctl_rc,
    clean_env,
    poll,
)
from i3project_dbus.install import run_install

SRC = Path(__file__).resolve().parents[2] / "src"


def install_activation(prefix: Path) -> Path:
    """Install the activation file the way a user would, with this Python as Exec=."""
    args = argparse.Namespace(prefix=prefix, user=False, dry_run=False)
    with open(os.devnull, "w") as out:
        rc = run_install(args, out=out, exec_argv=[sys.executable, "-m", "i3project_dbus"])
    assert rc == 0
    return prefix / "share" / "dbus-1" / "services"


def test_first_call_activates_the_service_which_finds_i3_by_itself(
    make_bus: Callable[..., DBusDaemon], make_i3: Callable[..., I3], dirs: XdgDirs,
    tmp_path: Path,
) -> None:  # fmt: skip
    # i3 makes its socket where it does by default: $XDG_RUNTIME_DIR/i3/ipc-socket.<pid>.
    (dirs.runtime / "i3").mkdir()
    i3 = make_i3(socket_path=dirs.runtime / "i3" / "ipc-socket.4242")
    servicedir = install_activation(tmp_path / "prefix")
    # The bus passes its own environment to what it activates: no I3SOCK, no DISPLAY,
    # as for a service started by the bus or by systemd in a real session.
    env = clean_env(dirs.env())
    env["PYTHONPATH"] = str(SRC)
    for name in ("I3SOCK", "SWAYSOCK", "DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    bus = make_bus(servicedirs=[servicedir], env=env)
    rc, _, _ = busctl_rc(bus.address, "status", BUS_NAME, timeout=5)
    assert rc != 0, "nothing owns the name before the first call"

    out = busctl(bus.address, "get-property", BUS_NAME, MANAGER_PATH, MANAGER_IFACE,
                 "WindowManager", timeout=30)  # fmt: skip
    assert out.strip() == 's "i3 4.22"'
    connected = busctl(bus.address, "get-property", BUS_NAME, MANAGER_PATH, MANAGER_IFACE,
                       "Connected")  # fmt: skip
    assert connected.strip() == "b true"
    assert i3.alive()


@pytest.fixture
def notification_daemon(bus: DBusDaemon, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """python-dbusmock's notification_daemon template on the private bus."""
    pytest.importorskip("dbusmock")
    log = open(tmp_path / "dbusmock.log", "wb")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(
        [sys.executable, "-m", "dbusmock", "--template", "notification_daemon"],
        env={**clean_env(bus.env())}, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    poll(
        lambda: busctl_rc(bus.address, "status", "org.freedesktop.Notifications")[0] == 0,
        timeout=10, what="the mock notification daemon",
    )  # fmt: skip
    yield proc
    proc.terminate()
    proc.wait(10)
    log.close()


def notify_calls(bus: DBusDaemon) -> list[str]:
    out = busctl(bus.address, "--json=short", "call", "org.freedesktop.Notifications",
                 "/org/freedesktop/Notifications", "org.freedesktop.DBus.Mock",
                 "GetCalls")  # fmt: skip
    calls = json.loads(out)["data"][0]
    return [c[1] for c in calls if c[1] == "Notify"]


@pytest.mark.parametrize("enabled", [True, False])
def test_one_notification_per_switch_when_enabled(
    enabled: bool, bus: DBusDaemon, dirs: XdgDirs, notification_daemon: object,
    service: Callable[..., ServiceProcess],
) -> None:  # fmt: skip
    (dirs.config / "i3project").mkdir(parents=True, exist_ok=True)
    (dirs.config / "i3project" / "config.json").write_text(json.dumps({"notifications": enabled}))
    service()
    call = ["call", BUS_NAME, MANAGER_PATH, MANAGER_IFACE]
    busctl(bus.address, *call, "CreateProject", "sa{sv}", "a", "1", "display_name", "s", "A")
    busctl(bus.address, *call, "CreateProject", "sa{sv}", "b", "0")
    for target in ("a", "b", "a"):
        busctl(bus.address, *call, "SwitchProject", "s", target)
    if enabled:
        poll(lambda: len(notify_calls(bus)) == 3, timeout=5, what="three notifications")
    else:
        # The switches are done (their replies came back); a notification would have
        # been sent before the last reply's task finished. Nothing came.
        busctl(bus.address, *call, "GetState")
        assert notify_calls(bus) == []


def test_reload_turns_notifications_on(
    bus: DBusDaemon, dirs: XdgDirs, notification_daemon: object,
    service: Callable[..., ServiceProcess],
) -> None:  # fmt: skip
    service()
    call = ["call", BUS_NAME, MANAGER_PATH, MANAGER_IFACE]
    busctl(bus.address, *call, "CreateProject", "sa{sv}", "a", "0")
    busctl(bus.address, *call, "SwitchProject", "s", "a")
    settings = dirs.config / "i3project" / "config.json"
    settings.write_text(json.dumps({"notifications": True}))
    busctl(bus.address, *call, "Reload")
    busctl(bus.address, *call, "ClearProject")
    poll(lambda: len(notify_calls(bus)) == 1, timeout=5, what="one notification after Reload")
