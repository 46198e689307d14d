"""Fixtures for every suite: private buses, Xvfb, a fresh i3 per test, X windows, the service."""

# Tests using xvfb/i3/xwindows get the `integration` marker automatically. A missing binary
# skips them, the reason printed at the end of the run even under -q; with
# I3PROJECT_REQUIRE_INTEGRATION=1 (for scripts/test, where the binaries are installed) it
# fails them instead.

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from harness import I3, DBusDaemon, ServiceProcess, XdgDirs, Xvfb, XWindows
from harness.prereq import SKIP_PREFIX, require

_INTEGRATION_FIXTURES = frozenset({"xvfb", "make_i3", "i3", "xwindows"})

_failed_key = pytest.StashKey[bool]()


def pytest_configure(config: pytest.Config) -> None:
    # pyproject.toml registers it too; this keeps the conftest usable on its own.
    config.addinivalue_line("markers", "integration: needs a real i3 under Xvfb")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _INTEGRATION_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed:
        item.stash[_failed_key] = True
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # -q and the default -r hide skip reasons; a missing i3 must not pass unnoticed.
    reasons = {
        report.longrepr[2].removeprefix("Skipped: ")
        for report in terminalreporter.stats.get("skipped", [])
        if isinstance(report.longrepr, tuple) and SKIP_PREFIX in report.longrepr[2]
    }
    for reason in sorted(reasons):
        terminalreporter.write_line(f"SKIPPED {reason}", yellow=True)


def _test_failed(request: pytest.FixtureRequest) -> bool:
    node: pytest.Item = request.node
    return node.stash.get(_failed_key, False)


@pytest.fixture(scope="session")
def xvfb() -> Iterator[Xvfb]:
    """One headless X server for the whole session; each test gets its own i3 on it."""
    require("Xvfb")
    with Xvfb() as server:
        yield server


@pytest.fixture
def make_i3(xvfb: Xvfb, request: pytest.FixtureRequest) -> Iterator[Callable[..., I3]]:
    """Factory: make_i3(socket_path=None, extra_config=(), replace=False) -> a running I3.

    Only one window manager runs on a display at a time: stop (or kill) the first i3
    before starting a second, or pass replace=True. All are stopped at teardown.
    """
    require("i3")
    started: list[I3] = []

    def start(
        socket_path: str | os.PathLike[str] | None = None,
        extra_config: Sequence[str] = (),
        replace: bool = False,
    ) -> I3:
        wm = I3(xvfb.display, socket_path=socket_path, extra_config=extra_config, replace=replace)
        started.append(wm)
        return wm

    yield start
    for wm in reversed(started):
        if _test_failed(request):
            print(f"--- i3 (pid {wm.pid}, socket {wm.socket}) log ---\n{wm.log()}")
        wm.stop()


@pytest.fixture
def i3(make_i3: Callable[..., I3]) -> I3:
    """A fresh i3 on the session Xvfb, on its own IPC socket."""
    return make_i3()


@pytest.fixture
def xwindows(xvfb: Xvfb) -> Iterator[XWindows]:
    """Real X windows on the session Xvfb; all closed at teardown."""
    with XWindows(xvfb.display) as windows:
        yield windows


@pytest.fixture
def make_bus(request: pytest.FixtureRequest) -> Iterator[Callable[..., DBusDaemon]]:
    """Factory: make_bus(servicedirs=(), env=None) -> a private dbus-daemon."""
    require("dbus-daemon", "busctl")
    started: list[DBusDaemon] = []

    def start(
        servicedirs: Sequence[str | os.PathLike[str]] = (), env: Mapping[str, str] | None = None
    ) -> DBusDaemon:
        daemon = DBusDaemon(servicedirs=servicedirs, env=env)
        started.append(daemon)
        return daemon

    yield start
    for daemon in reversed(started):
        if _test_failed(request):
            print(f"--- dbus-daemon ({daemon.address}) log ---\n{daemon.log()}")
        daemon.stop()


@pytest.fixture
def bus(make_bus: Callable[..., DBusDaemon]) -> DBusDaemon:
    """A private session-type dbus-daemon for this test."""
    return make_bus()


@pytest.fixture
def dirs(tmp_path: Path) -> Iterator[XdgDirs]:
    """Temporary XDG_CONFIG_HOME and XDG_STATE_HOME (under tmp_path) and XDG_RUNTIME_DIR."""
    xdg = XdgDirs.create(tmp_path)
    yield xdg
    xdg.remove_runtime()


@pytest.fixture
def service_env(bus: DBusDaemon, i3: I3, dirs: XdgDirs) -> dict[str, str]:
    """What the service needs: the private bus, the test's i3 socket, the XDG dirs."""
    return {**bus.env(), "I3SOCK": i3.socket, **dirs.env()}


@pytest.fixture
def service(
    service_env: dict[str, str], tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[..., ServiceProcess]]:
    """Factory: service(env=None, extra_args=(), wait=True, connected=True, timeout=15.0,
    argv=None) -> a ServiceProcess, ready unless wait=False.

    `env` is merged over service_env. At teardown every instance still running gets
    SIGTERM; one that ignores it is killed and fails the test.
    """
    started: list[ServiceProcess] = []

    def start(
        env: Mapping[str, str] | None = None,
        extra_args: Sequence[str] = (),
        wait: bool = True,
        connected: bool = True,
        timeout: float = 15.0,
        argv: Sequence[str] | None = None,
    ) -> ServiceProcess:
        log_path = tmp_path / f"service-{len(started)}.log"
        proc = ServiceProcess(
            {**service_env, **(env or {})}, log_path, extra_args=extra_args, argv=argv
        )
        started.append(proc)
        if wait:
            proc.wait_ready(timeout, connected=connected)
        return proc

    yield start
    errors: list[AssertionError] = []
    for proc in started:
        try:
            if proc.alive():
                proc.terminate()
            else:
                proc.kill()
        except AssertionError as exc:
            errors.append(exc)
        if errors or _test_failed(request):
            print(f"--- service (pid {proc.pid}, rc {proc.returncode}) log ---\n{proc.log()}")
    if errors:
        raise errors[0]
