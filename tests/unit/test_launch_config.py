"""Project files with apps: they load through the store, a bad entry skips only its file
(which is then never overwritten), and a rewrite keeps the apps and the environment."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from i3project_dbus.config import Store
from i3project_dbus.model.errors import ConfigError
from i3project_dbus.model.project import Project


@pytest.fixture
def store(tmp_path: Path) -> Store:
    environ = {"XDG_CONFIG_HOME": str(tmp_path / "c"), "XDG_STATE_HOME": str(tmp_path / "s")}
    store = Store(environ={**environ, "HOME": str(tmp_path)})
    store.projects_dir.mkdir(parents=True)
    return store


def test_apps_load_and_survive_a_rewrite(store: Store) -> None:
    data = {
        "name": "web",
        "directory": "~/src/web",
        "environment": {"NODE_ENV": "development"},
        "launch": [{"name": "shell", "command": ["xterm"], "workspace": "1"}],
        "color": "green",
    }
    (store.projects_dir / "web.json").write_text(json.dumps(data))
    projects, errors = store.load_projects()
    assert not errors
    web = projects["web"]
    assert web.launch[0].command == ("xterm",) and web.environment == (("NODE_ENV", "development"),)
    store.save_project(replace(web, last_active="2026-11-27T10:00:00+00:00"))
    again = json.loads((store.projects_dir / "web.json").read_text())
    assert again["launch"] == data["launch"] and again["environment"] == data["environment"]
    assert again["color"] == "green"


def test_a_bad_entry_skips_its_file_and_it_is_never_overwritten(store: Store) -> None:
    bad = {"name": "bad", "launch": [{"name": "x", "command": "xterm -e vim"}]}
    raw = json.dumps(bad)
    (store.projects_dir / "bad.json").write_text(raw)
    (store.projects_dir / "good.json").write_text(json.dumps({"name": "good"}))
    projects, errors = store.load_projects()
    assert list(projects) == ["good"]
    [error] = errors
    assert "bad.json" in error and "'launch'[0].command must be a list of strings" in error
    with pytest.raises(ConfigError):
        store.save_project(Project("bad"))
    assert (store.projects_dir / "bad.json").read_text() == raw
