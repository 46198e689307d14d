"""Windows follow their process, against a fake i3 port: a new window of a launched process
joins the launch's project (hidden when that is not the active one), goes to the asked
workspace, floats if asked; other windows keep the class rule. And Launch and Open through
the manager, with real processes and no window manager. No bus, no i3."""

from __future__ import annotations

import json
import os
import re
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from fake_port import FakeI3, Heard, make_manager, xterm

from harness.poll import apoll
from i3project_dbus.i3.commands import quote
from i3project_dbus.launch import procs
from i3project_dbus.manager import Manager
from i3project_dbus.model.errors import InvalidArgument, LaunchFailed, NoSuchProject
from i3project_dbus.model.launches import LaunchRecord
from i3project_dbus.model.window import SCRATCHPAD, Window
from i3project_dbus.model.wmevents import WindowEvent

ME = os.getpid()
# What the fake i3 understands of a launch's commands: criteria, then actions.
CRITERIA = re.compile(r'^\[(?:id=(\d+)|con_mark="((?:[^"\\]|\\.)*)")\] (.*)$')
STRING = r'"((?:[^"\\]|\\.)*)"'


def unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


class PlacingI3(FakeI3):
    """The fake i3, also running the mark, move and float commands of a launch on its
    tree, as i3 would: a tree read after them shows them."""

    async def run(self, command: str) -> None:
        await super().run(command)
        for part in command.split("; "):
            found = CRITERIA.match(part)
            if found is None:
                continue
            xid, pattern, actions = found.groups()
            for window in list(self.tree.values()):
                named = (xid and window.x11_id == int(xid)) or (
                    pattern and any(re.fullmatch(unquote(pattern), m) for m in window.marks)
                )
                if named:
                    self.tree[window.id] = self._apply(window, actions)

    @staticmethod
    def _apply(window: Window, actions: str) -> Window:
        for each in re.finditer(r'(?:[^,"]|"(?:[^"\\]|\\.)*")+', actions):
            action = each.group(0).strip()
            if (m := re.fullmatch(r"mark --add " + STRING, action)) is not None:
                window = replace(window, marks=(*window.marks, unquote(m.group(1))))
            elif (m := re.fullmatch(r"unmark " + STRING, action)) is not None:
                marks = tuple(x for x in window.marks if x != unquote(m.group(1)))
                window = replace(window, marks=marks)
            elif m := re.fullmatch(r"move container to workspace " + STRING, action):
                window = replace(window, workspace=unquote(m.group(1)))
            elif action == "floating enable":
                window = replace(window, floating=True)
        return window


@dataclass
class Desk:
    manager: Manager
    i3: FakeI3
    heard: Heard


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    """Projects a (active) and b, no windows; a listener."""
    manager = make_manager(tmp_path)
    heard = Heard()
    manager.add_listener(heard)
    await manager.create("a", {})
    await manager.create("b", {})
    i3 = PlacingI3()
    await manager.attach(i3)
    await manager.switch("a")
    yield Desk(manager, i3, heard)
    await manager.close()


def launched(desk: Desk, project: str, workspace: str = "", floating: bool = False) -> None:
    """A launch record for this test process, as if the service had launched it."""
    record = LaunchRecord(ME, project, "", workspace, floating, procs.start_ticks(ME))
    desk.manager.launcher.records.add(record, lambda _r: True)


def appear(desk: Desk, con_id: int, pid: int = ME, wm_class: str = "XTerm") -> Window:
    """A window opens on workspace 1, made by process ``pid`` (sway's tree says so)."""
    window = replace(xterm(con_id, "1", wm_class=wm_class), pid=pid)
    desk.i3.tree[con_id] = window
    desk.manager.handle_event(WindowEvent("new", con_id, replace(window, workspace="", output="")))
    return window


def assigned(desk: Desk, con_id: int) -> dict[str, object] | None:
    for event in desk.manager.events.recent():
        if event.type == "window::assign" and event.details.get("con_id") == con_id:
            return dict(event.details)
    return None


async def test_a_window_launched_for_another_project_joins_it_hidden_on_its_workspace(
    desk: Desk,
) -> None:
    launched(desk, "b", workspace="3")
    appear(desk, 21)
    state = desk.manager.state
    await apoll(lambda: state.windows[21].hidden, what="the window hidden with b")
    window = state.windows[21]
    assert window.project == "b" and window.workspace == SCRATCHPAD
    assert window.restore is not None and window.restore.workspace == "3"
    mark = window.assignment_marks[0]
    placed = [c for c in desk.i3.commands if 'move container to workspace "3"' in c]
    assert placed and f'mark --add "{mark}"' in placed[0]
    details = assigned(desk, 21)
    assert details is not None and details["launch"] is True and details["project"] == "b"
    assert details["pid"] == ME and {"processing_us", "pid_us", "i3_us"} <= set(details)
    assert desk.manager.launcher.records.launch_of(21) is not None
    # Switching to b brings it back where the launch asked.
    await desk.manager.switch("b")
    assert state.windows[21].workspace == "3" and not state.windows[21].hidden


async def test_a_window_launched_for_the_active_project_floats_there(desk: Desk) -> None:
    launched(desk, "a", floating=True)
    appear(desk, 22, wm_class="Gimp")  # a class no rule would assign
    state = desk.manager.state
    await apoll(lambda: state.windows[22].project == "a", what="the window assigned to a")
    assert state.windows[22].floating and not state.windows[22].hidden
    assert any("floating enable" in c for c in desk.i3.commands)
    assert not desk.i3.plans or all(not p.hide for p in desk.i3.plans[1:])


async def test_a_launch_for_no_project_only_places(desk: Desk) -> None:
    launched(desk, "", workspace="9")
    appear(desk, 23)
    state = desk.manager.state
    await apoll(lambda: state.windows[23].workspace == "9", what="the window on 9")
    assert state.windows[23].project == ""


async def test_other_windows_keep_the_class_rule_while_launches_run(desk: Desk) -> None:
    launched(desk, "b")
    appear(desk, 24, pid=1)  # init's: no launch of ours
    appear(desk, 25, pid=1, wm_class="firefox")
    state = desk.manager.state
    await apoll(lambda: state.windows[24].project == "a", what="the xterm joins a")
    await apoll(lambda: assigned(desk, 25) is None and not state.windows[25].project,
                what="firefox left alone")  # fmt: skip
    details = assigned(desk, 24)
    assert details is not None and "launch" not in details


async def test_hostile_workspace_names_are_quoted_data(desk: Desk) -> None:
    hostile = '1"]; exec touch /tmp/i3p-canary; [class=".*'
    launched(desk, "a", workspace=hostile)
    appear(desk, 26)
    await apoll(lambda: desk.manager.state.windows[26].workspace == hostile, what="placed")
    placed = [c for c in desk.i3.commands if "move container to workspace" in c]
    assert f"move container to workspace {quote(hostile)}" in placed[0]


async def test_a_closed_window_is_forgotten_by_its_launch(desk: Desk) -> None:
    launched(desk, "a")
    window = appear(desk, 27)
    await apoll(lambda: desk.manager.state.windows[27].project == "a", what="assigned")
    desk.manager.handle_event(WindowEvent("close", 27, window))
    assert desk.manager.launcher.records.launch_of(27) is None
    assert desk.manager.launcher.records.has_shown(ME)


# -- Launch and Open through the manager ----------------------------------------------


@pytest.fixture
def apps(tmp_path: Path) -> Path:
    """Project "apps" with two apps that wait, in its own directory."""
    directory = tmp_path / "apps"
    directory.mkdir()
    return directory


async def write_apps(desk: Desk, tmp_path: Path, directory: Path, match: bool = False) -> None:
    entries: list[dict[str, object]] = [
        {"name": "one", "command": ["sleep", "60"], "workspace": "1"},
        {"name": "two", "command": ["sleep", "61"], "workspace": "2", "floating": True},
    ]
    if match:
        entries[0]["match"] = {"class": "XTerm"}
    data = {"name": "apps", "directory": str(directory), "launch": entries}
    path = tmp_path / "config" / "i3project" / "projects" / "apps.json"
    path.write_text(json.dumps(data))
    await desk.manager.reload()


def kill_launched(desk: Desk) -> None:
    for record in desk.manager.launcher.records:
        if record.pid != ME:
            os.killpg(record.pid, signal.SIGKILL)


async def test_open_switches_then_starts_each_app_once(
    desk: Desk, apps: Path, tmp_path: Path
) -> None:
    await write_apps(desk, tmp_path, apps)
    try:
        await desk.manager.open("apps")
        assert desk.manager.state.active == "apps"
        records = {r.entry: r for r in desk.manager.launcher.records}
        assert set(records) == {"one", "two"}
        assert (records["two"].workspace, records["two"].floating) == ("2", True)
        await desk.manager.open("apps")  # both are starting: nothing new
        assert len(desk.manager.launcher.records) == 2
        launches = [e for e in desk.manager.events.recent() if e.type == "project::launch"]
        assert [e.details["app"] for e in launches] == ["one", "two"]
        assert [args[0] for args in desk.heard.named("launched")] == ["apps", "apps"]
    finally:
        kill_launched(desk)


async def test_open_skips_an_app_whose_window_is_there(
    desk: Desk, apps: Path, tmp_path: Path
) -> None:
    await write_apps(desk, tmp_path, apps, match=True)
    await desk.manager.switch("apps")
    appear(desk, 30, pid=1)  # an xterm, not launched: the class rule gives it to apps
    await apoll(lambda: desk.manager.state.windows[30].project == "apps", what="assigned")
    try:
        await desk.manager.open("apps")
        assert [r.entry for r in desk.manager.launcher.records] == ["two"]
    finally:
        kill_launched(desk)


async def test_launch_checks_before_it_starts(desk: Desk) -> None:
    with pytest.raises(InvalidArgument):
        await desk.manager.launch(["true"], "a", {"workspace": 3})
    with pytest.raises(NoSuchProject):
        await desk.manager.launch(["true"], "nope", {})
    with pytest.raises(LaunchFailed):
        await desk.manager.launch(["no-such-program-i3p"], None, {})
    assert len(desk.manager.launcher.records) == 0 and not desk.heard.named("launched")
