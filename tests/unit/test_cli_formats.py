"""Status-bar formats of `i3project watch`, from GetState's JSON to one line each."""

from __future__ import annotations

import json
from typing import Any

import pytest

from i3project_dbus.cli.formats import FORMATS, Status, render, status_from_state

STATE: dict[str, Any] = {
    "active_project": "web",
    "projects": [
        {"name": "web", "display_name": "Web 100%", "icon": "W", "directory": "/src/web"},
        {"name": "ops", "display_name": "", "icon": "", "directory": ""},
    ],
    "windows": [{"project": "web"}, {"project": "web"}, {"project": "ops"}, {"project": ""}],
    "connected": True,
}


def test_status_from_state_reads_the_active_project() -> None:
    status = status_from_state(STATE)
    assert status == Status(reachable=True, active="web", display_name="Web 100%", icon="W",
                            directory="/src/web", projects=("web", "ops"), windows=2)  # fmt: skip
    assert status.label == "W Web 100%"
    assert status.css_class == "active"


def test_labels_for_no_project_and_no_service() -> None:
    assert status_from_state({**STATE, "active_project": ""}).label == "no project"
    assert status_from_state({**STATE, "active_project": "ops"}).label == "ops"
    gone = status_from_state(None)
    assert (gone.label, gone.css_class) == ("i3project: off", "disconnected")


def test_plain_is_the_bare_name_and_empty_otherwise() -> None:
    assert render("plain", status_from_state(STATE)) == "web"
    assert render("plain", status_from_state(None)) == ""


def test_waybar_has_text_tooltip_and_class() -> None:
    data = json.loads(render("waybar", status_from_state(STATE)))
    assert data["text"] == "W Web 100%"
    assert data["class"] == "active"
    assert "Directory: /src/web" in data["tooltip"]
    assert "Projects: web, ops" in data["tooltip"]
    assert json.loads(render("waybar", status_from_state(None)))["class"] == "disconnected"


def test_polybar_escapes_percent_and_colons_in_the_click_action() -> None:
    line = render("polybar", status_from_state(STATE), "rofi -p a:b")
    assert line == "%{A1:rofi -p a\\:b:}%{F#8ec07c}W Web 100%%%{F-}%{A}"


def test_i3blocks_is_one_full_text_line() -> None:
    assert render("i3blocks", status_from_state(STATE)) == "W Web 100%"


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_a_single_line(fmt: str) -> None:
    for state in (STATE, None, {**STATE, "active_project": ""}):
        assert "\n" not in render(fmt, status_from_state(state))


def test_json_format_says_whether_i3_is_connected() -> None:
    data = json.loads(render("json", status_from_state({**STATE, "connected": False})))
    assert data["reachable"] is True
    assert data["connected"] is False
    assert data["projects"] == ["web", "ops"]
