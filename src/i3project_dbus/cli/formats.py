"""Status-bar lines for `i3project watch`: one pure function per format, from one Status."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

FORMATS: Final = ("plain", "json", "i3blocks", "polybar", "waybar")

NO_PROJECT_LABEL: Final = "no project"
DISCONNECTED_LABEL: Final = "i3project: off"
DEFAULT_MENU_COMMAND: Final = "i3project menu"

# polybar colours: active project, no project, service unreachable.
POLYBAR_COLORS: Final = {"active": "#8ec07c", "none": "#a89984", "disconnected": "#fb4934"}


@dataclass(frozen=True, slots=True)
class Status:
    """What a status bar shows: the active project, or that the service is away."""

    reachable: bool
    active: str = ""
    display_name: str = ""
    icon: str = ""
    directory: str = ""
    projects: tuple[str, ...] = ()
    windows: int = 0
    i3_connected: bool = True

    @property
    def css_class(self) -> str:
        if not self.reachable:
            return "disconnected"
        return "active" if self.active else "none"

    @property
    def label(self) -> str:
        if not self.reachable:
            return DISCONNECTED_LABEL
        if not self.active:
            return NO_PROJECT_LABEL
        title = self.display_name or self.active
        return f"{self.icon} {title}" if self.icon else title

    @property
    def tooltip(self) -> str:
        if not self.reachable:
            return "The i3project service is not running"
        lines = [f"Project: {self.active}" if self.active else "No active project"]
        if self.active and self.directory:
            lines.append(f"Directory: {self.directory}")
        if self.active:
            lines.append(f"Windows: {self.windows}")
        lines.append("Projects: " + (", ".join(self.projects) or "none"))
        if not self.i3_connected:
            lines.append("The service has lost its i3 connection")
        return "\n".join(lines)


def status_from_state(state: Mapping[str, Any] | None) -> Status:
    """A Status from GetState's JSON (None: the service is unreachable)."""
    if state is None:
        return Status(reachable=False)
    active = str(state.get("active_project", ""))
    projects = list(state.get("projects", []))
    current: Mapping[str, Any] = next((p for p in projects if p.get("name") == active), {})
    windows = sum(1 for w in state.get("windows", []) if active and w.get("project") == active)
    return Status(
        reachable=True,
        active=active,
        display_name=str(current.get("display_name", "")),
        icon=str(current.get("icon", "")),
        directory=str(current.get("directory", "")),
        projects=tuple(str(p.get("name", "")) for p in projects),
        windows=windows,
        i3_connected=bool(state.get("connected", True)),
    )


def plain(status: Status, menu_command: str = DEFAULT_MENU_COMMAND) -> str:
    """The active project's name; an empty line for none or when unreachable."""
    return status.active


def as_json(status: Status, menu_command: str = DEFAULT_MENU_COMMAND) -> str:
    return json.dumps(
        {
            "active_project": status.active,
            "display_name": status.display_name,
            "icon": status.icon,
            "directory": status.directory,
            "label": status.label,
            "projects": list(status.projects),
            "windows": status.windows,
            "reachable": status.reachable,
            "connected": status.reachable and status.i3_connected,
        }
    )


def i3blocks(status: Status, menu_command: str = DEFAULT_MENU_COMMAND) -> str:
    """A persistent block (interval=persist) takes each line as its new full_text."""
    return status.label


def polybar(status: Status, menu_command: str = DEFAULT_MENU_COMMAND) -> str:
    """Formatting tags with a colour, and a left click that runs the menu."""
    text = status.label.replace("%", "%%")
    color = POLYBAR_COLORS[status.css_class]
    # In %{A1:cmd:} a colon ends the command, so colons in it are escaped.
    action = menu_command.replace(":", "\\:")
    return f"%{{A1:{action}:}}%{{F{color}}}{text}%{{F-}}%{{A}}"


def _pango(text: str) -> str:
    """waybar reads text and tooltip as Pango markup: a name with & or < must not be."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def waybar(status: Status, menu_command: str = DEFAULT_MENU_COMMAND) -> str:
    """A custom module with return-type json: text, tooltip, class (and alt)."""
    return json.dumps(
        {
            "text": _pango(status.label),
            "alt": status.active or status.css_class,
            "tooltip": _pango(status.tooltip),
            "class": status.css_class,
        }
    )


RENDERERS: Final[Mapping[str, Callable[[Status, str], str]]] = {
    "plain": plain,
    "json": as_json,
    "i3blocks": i3blocks,
    "polybar": polybar,
    "waybar": waybar,
}


def render(fmt: str, status: Status, menu_command: str = DEFAULT_MENU_COMMAND) -> str:
    return RENDERERS[fmt](status, menu_command)
