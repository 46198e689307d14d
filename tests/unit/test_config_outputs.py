"""config.json's workspace_outputs and restore_focus: each bad entry is reported, the rest kept."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from i3project_dbus.config import Settings, Store

CANARY = '"]; exec touch /tmp/canary; ["'


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(environ={"XDG_CONFIG_HOME": str(tmp_path / "c"), "HOME": str(tmp_path)})


def load(store: Store, data: Any) -> Settings:
    store.settings_file.parent.mkdir(parents=True, exist_ok=True)
    store.settings_file.write_text(json.dumps(data))
    return store.load_settings()


def test_defaults(store: Store) -> None:
    settings = load(store, {})
    assert settings.workspace_outputs == () and settings.restore_focus is True
    assert not settings.errors


def test_mapping_is_kept_in_order_without_duplicates(store: Store) -> None:
    settings = load(
        store,
        {
            "workspace_outputs": {
                "2": ["RIGHT", "LEFT", "RIGHT"],
                "1": ["LEFT"],
                "9": ["Dell Inc. DELL U2415 7MT01"],
            },
            "restore_focus": False,
        },
    )
    assert settings.workspace_outputs == (
        ("2", ("RIGHT", "LEFT")),
        ("1", ("LEFT",)),
        ("9", ("Dell Inc. DELL U2415 7MT01",)),
    )
    assert settings.restore_focus is False and not settings.errors


def test_each_bad_entry_is_an_error_and_the_rest_works(store: Store) -> None:
    settings = load(
        store,
        {
            "workspace_outputs": {
                "1": "LEFT",
                CANARY: ["LEFT"],
                "3": ["LEFT", CANARY],
                "4": [],
                "5": [7],
                "__i3_scratch": ["LEFT"],
                "2": ["RIGHT"],
            },
            "notifications": True,
        },
    )
    assert settings.workspace_outputs == (("2", ("RIGHT",)),)
    assert settings.notifications is True
    assert len(settings.errors) == 6
    assert all("workspace_outputs" in e and "ignored" in e for e in settings.errors)
    assert any("must be a list" in e for e in settings.errors)


@pytest.mark.parametrize("value", [["1", "LEFT"], "1=LEFT", 3, None])
def test_a_mapping_that_is_not_an_object_is_ignored(store: Store, value: Any) -> None:
    settings = load(store, {"workspace_outputs": value, "event_buffer_size": 10})
    assert settings.workspace_outputs == () and settings.event_capacity == 10
    assert len(settings.errors) == 1


def test_restore_focus_must_be_a_boolean(store: Store) -> None:
    settings = load(store, {"restore_focus": "no"})
    assert settings.restore_focus is True
    assert settings.errors == (f"{store.settings_file}: 'restore_focus' must be true or false",)


def test_huge_mappings_are_bounded(store: Store) -> None:
    mapping = {str(i): ["LEFT"] for i in range(300)}
    mapping["long"] = ["X"] * 17
    settings = load(store, {"workspace_outputs": mapping})
    assert len(settings.workspace_outputs) == 256
    assert len(settings.errors) == 1
