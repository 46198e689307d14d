"""Files: settings, project files, the persisted state."""

import json
from pathlib import Path

import pytest

from i3project_dbus.config import Store, atomic_write
from i3project_dbus.model.errors import ConfigError
from i3project_dbus.model.project import Project


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(
        environ={
            "XDG_CONFIG_HOME": str(tmp_path / "c"),
            "XDG_STATE_HOME": str(tmp_path / "s"),
            "HOME": str(tmp_path),
        }
    )


def test_defaults_without_files(store: Store) -> None:
    settings = store.load_settings()
    assert not settings.errors and settings.event_capacity == 500 and not settings.notifications
    assert store.load_projects() == ({}, [])
    assert store.load_active() == ""


def test_earlier_daemon_files_load_unchanged(store: Store) -> None:
    store.projects_dir.mkdir(parents=True)
    data = {
        "name": "nixos",
        "display_name": "NixOS",
        "icon": "",
        "directory": "/etc/nixos",
        "created": "2025-10-01T12:00:00",
        "last_active": "2025-10-02T12:00:00",
    }
    (store.projects_dir / "nixos.json").write_text(json.dumps(data))
    projects, errors = store.load_projects()
    assert not errors
    assert projects["nixos"].to_json() == data


def test_corrupt_file_is_skipped_reported_and_never_overwritten(store: Store) -> None:
    store.projects_dir.mkdir(parents=True)
    bad = store.projects_dir / "bad.json"
    bad.write_bytes(b'{"name": "bad", "disp')
    (store.projects_dir / "good.json").write_text(json.dumps({"name": "good"}))
    projects, errors = store.load_projects()
    assert list(projects) == ["good"]
    assert len(errors) == 1 and "bad.json" in errors[0]
    with pytest.raises(ConfigError, match="cannot be read"):
        store.save_project(Project("bad"))
    assert bad.read_bytes() == b'{"name": "bad", "disp'


def test_overlap_is_reported_not_fatal(store: Store) -> None:
    store.config_dir.mkdir(parents=True)
    store.settings_file.write_text(
        json.dumps(
            {
                "scoped_classes": ["XTerm", "firefox"],
                "global_classes": ["firefox"],
                "event_buffer_size": 50,
            }
        )
    )
    settings = store.load_settings()
    assert settings.event_capacity == 50
    assert any("both scoped and global" in e and "firefox" in e for e in settings.errors)


def test_active_round_trip(store: Store) -> None:
    store.save_active("web")
    assert store.load_active() == "web"
    assert not list(store.state_dir.glob(".*tmp"))


def test_atomic_write_replaces(tmp_path: Path) -> None:
    target = tmp_path / "d" / "f.json"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["f.json"]


def test_symlinked_project_files_are_read_never_replaced(store: Store, tmp_path: Path) -> None:
    # home-manager links project files into the Nix store.
    target = tmp_path / "store" / "web.json"
    target.parent.mkdir()
    target.write_text(json.dumps({"name": "web", "display_name": "Web"}))
    store.projects_dir.mkdir(parents=True)
    (store.projects_dir / "web.json").symlink_to(target)
    projects, errors = store.load_projects()
    assert projects["web"].display_name == "Web" and not errors
    assert store.is_managed("web")
    with pytest.raises(ConfigError, match="symlink"):
        store.save_project(projects["web"])
    with pytest.raises(ConfigError, match="symlink"):
        store.delete_project("web")
    assert (store.projects_dir / "web.json").is_symlink()


def test_atomic_write_keeps_a_files_permissions(tmp_path: Path) -> None:
    target = tmp_path / "p.json"
    atomic_write(target, b"new")
    assert target.stat().st_mode & 0o777 == 0o644
    target.chmod(0o600)
    atomic_write(target, b"newer")
    assert target.stat().st_mode & 0o777 == 0o600


def test_layout_settings_are_read_and_bad_keys_reported(store: Store) -> None:
    store.config_dir.mkdir(parents=True)
    store.settings_file.write_text(
        json.dumps(
            {
                "autosave": False,
                "autosave_minutes": 3,
                "restore_on_start": True,
                "restore_exclude": ["vim"],
                "restore": {"Code": {"command": ["code", "$PROJECT_DIR"]}},
            }
        )
    )
    layouts = store.load_settings().layouts
    assert (layouts.autosave, layouts.autosave_minutes, layouts.restore_on_start) == (
        False,
        3,
        True,
    )
    assert layouts.exclude == ("vim",)
    assert dict(layouts.commands) == {"Code": ("code", "$PROJECT_DIR")}
    store.settings_file.write_text(json.dumps({"autosave": "yes", "notifications": True}))
    settings = store.load_settings()
    assert settings.layouts.autosave and settings.notifications
    assert len(settings.errors) == 1 and "'autosave'" in settings.errors[0]
