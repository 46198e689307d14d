"""Projects and their files, on a temporary XDG directory and a fake i3 port: create, update,
delete, reload, the persisted active project and last_active. No bus, no i3."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fake_port import FakeI3, Heard, make_manager, xterm

from harness.poll import apoll
from i3project_dbus.manager import Manager
from i3project_dbus.model.errors import (
    ConfigError,
    InvalidArgument,
    InvalidName,
    NoSuchProject,
    ProjectExists,
)
from i3project_dbus.model.window import SCRATCHPAD


@dataclass
class Desk:
    manager: Manager
    i3: FakeI3
    heard: Heard
    projects_dir: Path


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    """Projects a (active) and b; a1 of a, b1 of b (hidden)."""
    manager = make_manager(tmp_path)
    await manager.create("a", {})
    await manager.create("b", {"display_name": "Bee"})
    heard = Heard()
    manager.add_listener(heard)
    i3 = FakeI3([xterm(1, "1", "a"), xterm(3, "2", "b")])
    await manager.attach(i3)
    await manager.switch("a")
    yield Desk(manager, i3, heard, manager.projects.store.projects_dir)
    await manager.close()


def types(manager: Manager) -> list[str]:
    return [e.type for e in manager.events.recent()]


async def test_create_and_update_write_the_project_file(tmp_path: Path) -> None:
    manager = make_manager(tmp_path)
    project = await manager.create("web", {"display_name": "The web", "scoped_classes": ["Foo"]})
    path = manager.projects.store.project_file("web")
    data = json.loads(path.read_text())
    assert data["display_name"] == "The web" and data["scoped_classes"] == ["Foo"]
    assert data["created"] == project.created != ""
    await manager.update("web", {"icon": "globe"})
    assert json.loads(path.read_text())["icon"] == "globe"
    assert manager.state.projects["web"].icon == "globe"
    assert types(manager) == ["project::create", "project::update"]
    await manager.close()


async def test_bad_input_changes_nothing(tmp_path: Path) -> None:
    manager = make_manager(tmp_path)
    await manager.create("web", {})
    with pytest.raises(ProjectExists):
        await manager.create("web", {})
    with pytest.raises(InvalidName):
        await manager.create("not a name", {})
    with pytest.raises(InvalidArgument):
        await manager.create("other", {"colour": "red"})
    with pytest.raises(NoSuchProject):
        await manager.update("nope", {"icon": "x"})
    files = sorted(p.name for p in manager.projects.store.projects_dir.iterdir())
    assert files == ["web.json"]
    assert list(manager.state.projects) == ["web"]
    await manager.close()


async def test_delete_brings_the_windows_back_unassigned(desk: Desk) -> None:
    manager = desk.manager
    assert manager.state.windows[3].workspace == SCRATCHPAD
    await manager.delete("b")
    window = manager.state.windows[3]
    assert window.workspace == "2" and window.project == "" and not window.marks
    # Back as a switch brings it (its layout kept), then its assignment goes.
    shown, unmarked = desk.i3.commands[-2:]
    assert 'move container to workspace "2"' in shown and 'unmark "project:b:' in unmarked
    assert not (desk.projects_dir / "b.json").exists()
    assert "b" not in manager.state.projects and types(manager)[-1] == "project::delete"
    assert desk.i3.syncs >= 2, "the release was followed by a barrier"


async def test_deleting_the_active_project_clears_it(desk: Desk) -> None:
    manager = desk.manager
    await manager.delete("a")
    assert manager.state.active == ""
    assert manager.projects.store.load_active() == ""
    assert desk.heard.named("switched")[-1] == ("a", "")


async def test_deleting_while_i3_is_away_still_clears_the_active_project(desk: Desk) -> None:
    manager = desk.manager
    desk.i3.lose()
    manager.detach()
    await manager.delete("a")
    assert manager.state.active == "" and manager.projects.store.load_active() == ""


async def test_reload_adds_changes_and_removes_projects(desk: Desk) -> None:
    manager = desk.manager
    (desk.projects_dir / "c.json").write_text(json.dumps({"name": "c"}))
    (desk.projects_dir / "b.json").unlink()
    (desk.projects_dir / "broken.json").write_text("{")
    config = manager.projects.store.settings_file
    config.write_text(json.dumps({"notifications": True}))
    await manager.reload()
    assert sorted(manager.state.projects) == ["a", "c"]
    assert manager.settings.notifications
    assert manager.state.windows[3].workspace == "2", "b's hidden window came back"
    assert any("broken.json" in e for e in manager.state.config_errors)
    recorded = types(manager)
    assert recorded[-1] == "config::reload" and "config::error" in recorded
    assert desk.heard.named("config_changed")


async def test_the_active_project_survives_a_restart(desk: Desk, tmp_path: Path) -> None:
    await desk.manager.switch("b")
    again = make_manager(tmp_path)
    assert again.state.active == "b"
    await again.close()


async def test_last_active_is_written_in_the_background(desk: Desk) -> None:
    await desk.manager.switch("b")
    path = desk.projects_dir / "b.json"
    saved = await apoll(
        lambda: json.loads(path.read_text()).get("last_active"), what="last_active in b.json"
    )
    assert saved == desk.manager.state.projects["b"].last_active
    assert json.loads(path.read_text())["display_name"] == "Bee", "the rest is kept"


async def test_a_last_active_that_cannot_be_written_is_logged(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    desk.manager.projects.store.unreadable.add("b")  # the service must not write over it
    with caplog.at_level(logging.WARNING):
        await desk.manager.switch("b")
        await apoll(lambda: "could not record last_active of b" in caplog.text, what="the warning")
    assert desk.manager.state.active == "b", "the switch itself succeeded"


async def test_a_failed_write_of_the_active_project_is_reported(desk: Desk, tmp_path: Path) -> None:
    state_dir = desk.manager.projects.store.state_dir
    (state_dir / "state.json").unlink()
    state_dir.rmdir()
    state_dir.write_text("a file where the directory was")
    await desk.manager.switch("b")
    errors = [e for e in desk.manager.events.recent() if e.type == "config::error"]
    assert errors and "state.json" in str(errors[-1].details["message"])
    assert desk.manager.state.active == "b"
    with pytest.raises(ConfigError):
        desk.manager.projects.store.save_active("b")
