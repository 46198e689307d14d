"""The scope path of a launch, against a mock systemd user manager on a private bus:
python-dbusmock's own systemd template, and a recorded mock object that answers in the
harder order (JobRemoved before the reply), fails, or never finishes its job."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from dbus_fast import BusType, Message, MessageType, Variant
from dbus_fast.aio import MessageBus

from harness import DBusDaemon, apoll, busctl_rc, clean_env, poll
from i3project_dbus.dbus import names, systemd
from i3project_dbus.dbus.systemd import SystemdScopes
from i3project_dbus.launch import Launcher, procs, spawn
from i3project_dbus.model.project import Project

MOCK_IFACE = "org.freedesktop.DBus.Mock"
SYSTEM_PYTHON = "/usr/bin/python3"


def start_mock(
    argv: list[str], env: dict[str, str], log: Path, bus: DBusDaemon
) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
    poll(
        lambda: busctl_rc(bus.address, "status", names.SYSTEMD_BUS_NAME)[0] == 0,
        timeout=15, what=f"the mock systemd ({log.name})",
    )  # fmt: skip
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def systemd_template(bus: DBusDaemon, tmp_path: Path) -> Iterator[None]:
    """python-dbusmock's systemd template. It needs GLib's Python bindings, which the venv
    lacks and Debian's python3-gi has: run it with the system Python, importing dbusmock
    (pure Python) from the venv and dbus-python and gi from Debian."""
    spec = importlib.util.find_spec("dbusmock")
    assert spec is not None and spec.submodule_search_locations
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import dbus, gi"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("the systemd template needs python3-dbus and python3-gi (apt-get install)")
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "dbusmock").symlink_to(spec.submodule_search_locations[0])
    env = clean_env({**bus.env(), "PYTHONPATH": str(shim)})
    argv = [SYSTEM_PYTHON, "-m", "dbusmock", "--session", "--template", "systemd"]
    proc = start_mock(argv, env, tmp_path / "template.log", bus)
    yield
    stop(proc)


# The recorded mock's StartTransientUnit: it notes what the process was at the time of
# the call, then ends the job before it replies, as a fast systemd may appear to.
RECORDED_START = """
import dbus
pid = [p[1][0] for p in args[2] if p[0] == 'PIDs'][0]
with open(os.environ['CMDLINE_LOG'], 'ab') as log:
    log.write(open('/proc/%d/cmdline' % pid, 'rb').read() + b'\\n')
if self.behaviour == 'error':
    raise dbus.exceptions.DBusException('unit exists', name='org.freedesktop.systemd1.UnitExists')
self.jobs = getattr(self, 'jobs', 0) + 1
job = dbus.ObjectPath('/org/freedesktop/systemd1/job/%d' % self.jobs)
if self.behaviour != 'hang':
    result = 'failed' if self.behaviour == 'failed' else 'done'
    self.EmitSignal('org.freedesktop.systemd1.Manager', 'JobRemoved', 'uoss',
                    [self.jobs, job, args[0], result])
ret = job
"""


@pytest.fixture
def recorded_systemd(bus: DBusDaemon, tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """Factory: recorded_systemd(behaviour) -> the file where each call notes the process's
    command line. behaviour: "done", "failed", "error" or "hang"."""
    procs_started: list[subprocess.Popen[bytes]] = []

    def start(behaviour: str) -> Path:
        cmdlines = tmp_path / "cmdlines"
        env = clean_env({**bus.env(), "CMDLINE_LOG": str(cmdlines)})
        argv = [sys.executable, "-m", "dbusmock", "--session", names.SYSTEMD_BUS_NAME,
                names.SYSTEMD_PATH, names.SYSTEMD_MANAGER_IFACE]  # fmt: skip
        procs_started.append(start_mock(argv, env, tmp_path / "recorded.log", bus))
        mock = [names.SYSTEMD_BUS_NAME, names.SYSTEMD_PATH, MOCK_IFACE]
        code = f"self.behaviour = {behaviour!r}\n" + RECORDED_START
        rc, _, err = busctl_rc(bus.address, "call", *mock, "AddMethod", "sssss", "",
                               "StartTransientUnit", "ssa(sv)a(sa(sv))", "o", code)  # fmt: skip
        assert rc == 0, err
        return cmdlines

    yield start
    for proc in procs_started:
        stop(proc)


@pytest.fixture
async def conn(bus: DBusDaemon) -> AsyncIterator[MessageBus]:
    bus_conn = await MessageBus(bus_address=bus.address, bus_type=BusType.SESSION).connect()
    yield bus_conn
    bus_conn.disconnect()
    await bus_conn.wait_for_disconnect()


@pytest.fixture
def project(tmp_path: Path) -> Project:
    (tmp_path / "web").mkdir()
    return Project("web", directory=str(tmp_path / "web"))


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}


@pytest.fixture
def cleanup() -> Iterator[list[int]]:
    pids: list[int] = []
    yield pids
    for pid in pids:
        found = procs.stat(pid)
        if found is not None and found.state != "Z":
            os.kill(pid, signal.SIGKILL)


def unwrap(value: object) -> object:
    while isinstance(value, Variant):
        value = value.value
    if isinstance(value, list | tuple):
        return [unwrap(v) for v in value]
    return value


async def start_calls(conn: MessageBus) -> list[list[object]]:
    call = Message(
        destination=names.SYSTEMD_BUS_NAME,
        path=names.SYSTEMD_PATH,
        interface=MOCK_IFACE,
        member="GetMethodCalls",
        signature="s",
        body=["StartTransientUnit"],
    )
    reply = await conn.call(call)
    assert reply is not None and reply.message_type == MessageType.METHOD_RETURN, reply
    return [[unwrap(arg) for arg in args] for _time, args in reply.body[0]]


def run_marker(path: Path) -> list[str]:
    return ["sh", "-c", 'echo "$I3PROJECT_NAME" > "$0.tmp"; mv "$0.tmp" "$0"; sleep 60', str(path)]


async def test_the_launch_asks_the_template_for_a_scope_with_its_pid(
    systemd_template: None, conn: MessageBus, project: Project, env: dict[str, str],
    tmp_path: Path, cleanup: list[int],
) -> None:  # fmt: skip
    scopes = SystemdScopes(conn)
    assert await scopes.available()
    marker = tmp_path / "ran"
    record = (await Launcher(env, scopes).launch(run_marker(marker), project)).record
    cleanup.append(record.pid)
    [call] = await start_calls(conn)
    unit, mode, properties, aux = call
    assert unit == f"app-i3project-web-{record.pid}.scope" and mode == "fail" and aux == []
    assert isinstance(properties, list)
    props = dict((name, value) for name, value in properties)
    assert props["PIDs"] == [record.pid]
    assert props["Slice"] == "app.slice" and props["CollectMode"] == "inactive-or-failed"
    assert "web" in str(props["Description"])
    await apoll(marker.exists, timeout=15, what="the app to run after its scope")
    assert marker.read_text() == "web\n"


async def test_the_process_is_held_until_the_scope_job_is_done(
    recorded_systemd: Callable[[str], Path], conn: MessageBus, project: Project,
    env: dict[str, str], tmp_path: Path, cleanup: list[int],
) -> None:  # fmt: skip
    cmdlines = recorded_systemd("done")
    marker = tmp_path / "ran"
    record = (await Launcher(env, SystemdScopes(conn)).launch(run_marker(marker), project)).record
    cleanup.append(record.pid)
    # At the call the process was the trampoline, not yet sh: nothing ran outside the scope.
    assert spawn.TRAMPOLINE.encode() in cmdlines.read_bytes()
    await apoll(marker.exists, timeout=15, what="the app to run after its scope")


@pytest.mark.parametrize("behaviour", ["error", "failed", "hang"])
async def test_without_a_scope_the_app_still_runs(
    behaviour: str, recorded_systemd: Callable[[str], Path], conn: MessageBus,
    project: Project, env: dict[str, str], tmp_path: Path, cleanup: list[int],
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    monkeypatch.setattr(systemd, "CALL_TIMEOUT", 0.5)
    caplog.set_level("WARNING", logger=systemd.__name__)
    recorded_systemd(behaviour)
    scopes = SystemdScopes(conn)
    marker = tmp_path / "ran"
    record = (await Launcher(env, scopes).launch(run_marker(marker), project)).record
    cleanup.append(record.pid)
    assert len(await start_calls(conn)) == 1
    await apoll(marker.exists, timeout=15, what="the app to run without a scope")
    assert not scopes._waiting and not scopes._early
    expected = {"error": "UnitExists", "failed": "job failed", "hang": "TimeoutError"}
    assert expected[behaviour] in caplog.text


async def test_no_systemd_on_the_bus_means_no_call(
    conn: MessageBus, project: Project, env: dict[str, str], tmp_path: Path,
    cleanup: list[int],
) -> None:  # fmt: skip
    scopes = SystemdScopes(conn)
    assert not await scopes.available()
    marker = tmp_path / "ran"
    record = (await Launcher(env, scopes).launch(run_marker(marker), project)).record
    cleanup.append(record.pid)
    await apoll(marker.exists, timeout=15, what="the app to run detached")
