"""`i3project selftest` on a session with the user's own projects and windows: it passes,
prove accepts its TAP, a broken setup fails a scenario with the reason, and whatever ends
the run (success, failure, i3 stopped, SIGINT) no selftest project or window is left and
the user's state is as before (compared with two `diagnose --output` snapshots)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from Xlib.display import Display

from harness import (
    I3,
    DBusDaemon,
    ServiceProcess,
    XdgDirs,
    XWindows,
    clean_env,
    poll,
    wait_managed,
)
from harness_extra import Client

SRC = Path(__file__).resolve().parents[2] / "src"
CLI = [sys.executable, "-m", "i3project_dbus.cli"]
TEST_CLASS = "i3project-selftest"


class Session:
    """The user's session: the service with projects alpha and beta, a window in each and a
    global browser, and the CLI run as the user would, with DISPLAY and the XDG dirs."""

    def __init__(self, bus: DBusDaemon, i3: I3, dirs: XdgDirs, display: str, tmp: Path) -> None:
        self.bus, self.i3, self.dirs, self.tmp = bus, i3, dirs, tmp
        self.env = clean_env({"DBUS_SESSION_BUS_ADDRESS": bus.address, "DISPLAY": display,
                              "I3SOCK": i3.socket, **dirs.env()})  # fmt: skip
        self.env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(SRC), self.env.get("PYTHONPATH")])
        )
        self.display = display

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*CLI, *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL, check=False)  # fmt: skip

    def ok(self, *args: str) -> str:
        done = self.run(*args)
        assert done.returncode == 0, f"i3project {' '.join(args)}: {done.returncode}\n{done.stderr}"
        return done.stdout

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [*CLI, *args], env=self.env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
        )  # fmt: skip

    def state(self) -> dict[str, Any]:
        windows = json.loads(self.ok("windows", "--json"))
        projects = json.loads(self.ok("list", "--json"))
        return {"windows": windows, "projects": projects, "active": self.ok("current").strip()}

    def snapshot(self, name: str) -> str:
        path = str(self.tmp / f"{name}.json")
        self.ok("diagnose", "--output", path)
        return path

    def state_json(self) -> dict[str, Any]:
        """The service's GetState, as it is (with config_errors)."""
        with Client(self.bus.address) as client:
            (text,) = client.call("GetState")
        data: dict[str, Any] = json.loads(text)
        return data

    def selftest_projects(self) -> list[str]:
        return [p["name"] for p in self.state()["projects"] if p["name"].startswith("selftest-")]


def selftest_windows_on_display(display: str) -> list[str]:
    """Titles of the X windows with the selftest's class, anywhere on the display."""
    dpy = Display(display)
    try:
        found = []
        stack = [dpy.screen().root]
        while stack:
            window = stack.pop()
            try:
                wm_class = window.get_wm_class()
                stack.extend(window.query_tree().children)
            except Exception:  # the window went away while we walked: it is not left over
                continue
            if wm_class and wm_class[1] == TEST_CLASS:
                found.append(str(window.get_wm_name()))
        return found
    finally:
        dpy.close()


@pytest.fixture
def session(
    bus: DBusDaemon, i3: I3, xwindows: XWindows, dirs: XdgDirs, tmp_path: Path,
    service: Callable[..., ServiceProcess],
) -> Iterator[Session]:  # fmt: skip
    service()
    s = Session(bus, i3, dirs, xwindows.display_name, tmp_path)
    s.ok("create", "alpha")
    s.ok("create", "beta")
    for project, cls, title in (("alpha", "XTerm", "alpha-term"), ("beta", "URxvt", "beta-term")):
        s.ok("switch", project)
        wait_managed(i3, xwindows.open(cls, cls.lower(), title))
        poll(lambda t=title, p=project: any(w["title"] == t and w["project"] == p
                                            for w in s.state()["windows"]),
             what=f"{title} assigned to {project}")  # fmt: skip
    wait_managed(i3, xwindows.open("firefox", "Navigator", "browser"))
    s.ok("switch", "alpha")
    poll(lambda: len(s.state()["windows"]) == 3, what="the three user windows")
    yield s


def assert_nothing_left(s: Session) -> None:
    assert s.selftest_projects() == []
    assert selftest_windows_on_display(s.display) == []
    assert not any(w["class"] == TEST_CLASS for w in s.state()["windows"])


def compare(s: Session, a: str, b: str) -> dict[str, Any]:
    done = s.run("diagnose", "--compare", a, b, "--json")
    assert done.returncode in (0, 1), done.stderr
    diff: dict[str, Any] = json.loads(done.stdout)
    return diff


def assert_same_user_state(s: Session, a: str, b: str) -> None:
    diff = compare(s, a, b)
    changes = {k: v for k, v in diff["windows"].items() if v}
    assert diff["active_project"] is None, diff["active_project"]
    assert diff["projects"] == {"added": [], "removed": [], "changed": []}
    assert changes == {}
    assert not any(diff["outputs"].values())
    assert s.run("diagnose", "--compare", a, b).returncode == 0


def prove(report: Path) -> subprocess.CompletedProcess[str]:
    if shutil.which("prove") is None:
        pytest.fail("prove is not installed (Debian: perl)")
    return subprocess.run(["prove", "--verbose", "--exec", "cat", str(report)],
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip


# -- tests --------------------------------------------------------------------------------


def test_selftest_passes_prove_accepts_it_and_the_session_is_as_before(session: Session) -> None:
    before = session.snapshot("before")
    report = session.tmp / "selftest.tap"
    done = session.run("selftest", "--format", "tap", "--include-restart", "-o", str(report))
    text = report.read_text()
    assert done.returncode == 0, text + done.stderr
    assert "not ok" not in text and "# SKIP" not in text
    checked = prove(report)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Result: PASS" in checked.stdout
    after = session.snapshot("after")
    assert_same_user_state(session, before, after)
    assert compare(session, before, after)["events"]["count"] > 0
    assert_nothing_left(session)


def test_json_and_terminal_formats(session: Session) -> None:
    done = session.run("selftest", "lifecycle", "event-order", "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert [r["name"] for r in report["results"]] == ["lifecycle", "event-order", "cleanup"]
    assert report["ok"] and report["window_manager"].startswith("i3 ")
    plain = session.run("selftest", "lifecycle")
    assert plain.returncode == 0 and plain.stdout.splitlines()[1].startswith("PASS\tlifecycle")
    assert session.run("selftest", "--list").stdout.count("\n") >= 8
    assert session.run("selftest", "nope").returncode == 3


def test_a_global_test_class_fails_marking_with_the_reason(session: Session) -> None:
    config = session.dirs.config / "i3project" / "config.json"
    config.write_text(json.dumps({"global_classes": ["firefox", TEST_CLASS]}))
    session.ok("reload")
    before = session.snapshot("before")
    done = session.run("selftest", "new-window-marked", "hide-show", "--keep-going",
                       "--format", "json")  # fmt: skip
    assert done.returncode == 1, done.stderr
    results = {r["name"]: r for r in json.loads(done.stdout)["results"]}
    for name in ("new-window-marked", "hide-show"):
        assert results[name]["status"] == "fail"
        assert f"classifies the test class '{TEST_CLASS}' as global" in results[name]["reason"]
    assert results["cleanup"]["status"] == "pass"
    assert_nothing_left(session)
    assert_same_user_state(session, before, session.snapshot("after"))


def test_i3_stopped_mid_run_fails_with_a_reason_and_leaves_nothing(
    session: Session, make_i3: Callable[..., I3]
) -> None:
    run = session.popen("selftest", "--format", "json", "--keep-going")
    poll(lambda: selftest_windows_on_display(session.display), timeout=30,
         what="the selftest's first test window")  # fmt: skip
    session.i3.stop()
    out, err = run.communicate(timeout=120)
    assert run.returncode == 1, err
    results = json.loads(out)["results"]
    failed = [r for r in results if r["status"] == "fail" and r["name"] != "cleanup"]
    assert failed, results
    assert any("not connected to i3" in r["reason"] for r in failed), failed
    assert session.selftest_projects() == []
    assert selftest_windows_on_display(session.display) == []
    # i3 back on the same socket: the service reads its tree and finds none of ours.
    make_i3(socket_path=session.i3.socket)
    poll(lambda: session.state_json()["connected"], timeout=10, what="the service back on i3")
    assert_nothing_left(session)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_stop_signal_halfway_cleans_up_and_restores_the_session(
    session: Session, signum: signal.Signals
) -> None:
    before = session.snapshot("before")
    session.env["PYTHONFAULTHANDLER"] = "1"
    # Only scenarios with test windows: one is open most of the run, so the signal lands
    # while a selftest project and window exist.
    run = session.popen("selftest", "rapid-switches", "new-window-marked", "hide-show",
                        "--format", "tap")  # fmt: skip
    poll(lambda: selftest_windows_on_display(session.display), timeout=30, interval=0.005,
         what="the selftest's first test window")  # fmt: skip
    run.send_signal(signum)
    try:
        out, err = run.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        run.send_signal(signal.SIGABRT)  # PYTHONFAULTHANDLER: the traceback of where it is
        out, err = run.communicate(timeout=10)
        raise AssertionError(f"still running 60 s after {signum.name}:\n{out}\n{err}") from None
    assert run.returncode == 130, out + err
    assert f"interrupted ({signum.name})" in out
    assert "ok 4 - cleanup" in out and "not ok 4" not in out
    assert_nothing_left(session)
    assert_same_user_state(session, before, session.snapshot("after"))


def test_no_service_is_exit_2_and_a_bail_out(bus: DBusDaemon, tmp_path: Path) -> None:
    env = clean_env({"DBUS_SESSION_BUS_ADDRESS": bus.address, "PYTHONPATH": str(SRC)})
    done = subprocess.run([*CLI, "--timeout", "5", "selftest", "--format", "tap"], env=env,
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout.startswith("Bail out! the i3project service")


def test_compare_around_a_switch_reports_exactly_the_moved_windows(session: Session) -> None:
    before = session.snapshot("before")
    session.ok("switch", "beta")
    after = session.snapshot("after")
    diff = compare(session, before, after)
    windows = diff["windows"]
    assert [w["title"] for w in windows["hidden"]] == ["alpha-term"]
    assert [w["title"] for w in windows["shown"]] == ["beta-term"]
    assert windows["moved"] == [] and windows["opened"] == [] and windows["closed"] == []
    assert sorted(w["title"] for w in windows["marks"]) == ["alpha-term", "beta-term"]
    assert diff["active_project"] == {"from": "alpha", "to": "beta"}
    assert diff["events"]["types"].get("project::switch") == 1
    plain = session.run("diagnose", "--compare", before, after)
    assert plain.returncode == 1
    kinds = sorted(line.split("\t")[0] for line in plain.stdout.splitlines())
    assert kinds == ["active project", "events between", "marks changed", "marks changed",
                     "window hidden", "window shown"]  # fmt: skip


def test_a_snapshot_holds_the_service_and_i3(session: Session) -> None:
    data = json.loads(Path(session.snapshot("full")).read_text())
    assert data["format"] == "i3project-diagnose-snapshot" and data["version"] == 1
    assert data["state"]["active_project"] == "alpha"
    assert {"tree", "workspaces", "outputs", "marks"} <= set(data["i3"])
    assert data["service"]["status"]["connected"] is True
    assert data["events"]["recent"] and data["mismatches"] == []
    path = session.tmp / "small.json"
    session.ok("diagnose", "-o", str(path), "--no-tree", "--event-limit", "3")
    small = json.loads(path.read_text())
    assert "tree" not in small["i3"] and len(small["events"]["recent"]) == 3
    session.ok("diagnose", "-o", str(path), "--no-events")
    assert "events" not in json.loads(path.read_text())


def test_edit_and_validate_with_the_service(session: Session) -> None:
    projects = session.dirs.config / "i3project" / "projects"
    (projects / "gamma.json").write_text('{"name": "gamma", "scoped_classes": ["XTerm",]}')
    session.ok("reload")
    assert any("gamma.json" in e for e in session.state_json()["config_errors"])
    done = session.run("validate")
    assert done.returncode == 3 and "gamma.json" in done.stdout
    fixer = session.tmp / "fix.py"
    fixer.write_text("import sys\nopen(sys.argv[1], 'w').write("
                     "'{\"name\": \"gamma\", \"scoped_classes\": [\"XTerm\"]}\\n')\n")  # fmt: skip
    session.env["EDITOR"] = f"{sys.executable} {fixer}"
    edited = session.run("edit", "gamma")
    assert edited.returncode == 0, edited.stderr
    assert "gamma" in [p["name"] for p in session.state()["projects"]]
    assert session.state_json()["config_errors"] == []
    assert session.run("validate", "gamma").returncode == 0


def test_status_shows_the_service_health(session: Session) -> None:
    status = json.loads(session.ok("status", "--json"))
    assert status["connected"] is True and status["i3_socket"] == session.i3.socket
    assert status["i3_events"] > 0 and status["errors"] == 0 and status["last_switch_us"] > 0
    rows = dict(line.split("\t", 1) for line in session.ok("status").splitlines())
    assert rows["connected to i3"] == "yes" and rows["reconnects"] == "0"
    assert rows["memory (RSS)"].endswith(" MiB")
    assert rows["i3 subscriptions"] == "window workspace output binding tick shutdown"
