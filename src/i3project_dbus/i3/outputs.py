"""i3's GET_OUTPUTS and GET_WORKSPACES replies read into the model, and the commands that
move workspaces between outputs (every name through commands.quote)."""

from __future__ import annotations

from typing import Any

from ..model.focus import FocusRestore
from ..model.marks import Rect
from ..model.outputs import NO_RECT, Output, Screens, Workspace
from ..model.reassign import Reassignment
from . import commands

# i3 lists the root window as an output that is never active; it holds no workspaces.
PSEUDO_OUTPUT_PREFIX = "xroot-"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _rect(value: Any) -> Rect:
    if not isinstance(value, dict):
        return NO_RECT
    try:
        return (
            int(value.get("x", 0)),
            int(value.get("y", 0)),
            int(value.get("width", 0)),
            int(value.get("height", 0)),
        )
    except (TypeError, ValueError):
        return NO_RECT


def outputs_from_json(reply: Any) -> tuple[Output, ...]:
    """GET_OUTPUTS, without i3's ``xroot-0`` pseudo-output and without unnamed entries."""
    if not isinstance(reply, list):
        return ()
    found = []
    for item in reply:
        if not isinstance(item, dict):
            continue
        name = _text(item.get("name"))
        if not name or name.startswith(PSEUDO_OUTPUT_PREFIX):
            continue
        found.append(
            Output(
                name=name,
                active=item.get("active") is True,
                primary=item.get("primary") is True,
                rect=_rect(item.get("rect")),
                current_workspace=_text(item.get("current_workspace")),
                make=_text(item.get("make")),
                model=_text(item.get("model")),
                serial=_text(item.get("serial")),
            )
        )
    return tuple(found)


def workspaces_from_json(reply: Any) -> tuple[Workspace, ...]:
    if not isinstance(reply, list):
        return ()
    found = []
    for item in reply:
        if not isinstance(item, dict) or not _text(item.get("name")):
            continue
        num = item.get("num")
        found.append(
            Workspace(
                name=_text(item.get("name")),
                output=_text(item.get("output")),
                num=num if isinstance(num, int) and not isinstance(num, bool) else -1,
                visible=item.get("visible") is True,
                focused=item.get("focused") is True,
            )
        )
    return tuple(found)


def screens_from_json(outputs: Any, workspaces: Any) -> Screens:
    return Screens(outputs_from_json(outputs), workspaces_from_json(workspaces))


def move_workspace(workspace: str, output: str) -> str:
    """Focus the workspace, then move it: i3's ``move workspace to output`` moves the
    focused one. ``output`` is a name or a direction (model Move.target)."""
    return commands.join(
        [commands.focus_workspace(workspace), f"move workspace to output {commands.quote(output)}"]
    )


def reassign(plan: Reassignment) -> str:
    """The whole reassignment as one payload: the moves, then what each output shows."""
    parts = [move_workspace(m.workspace, m.target) for m in plan.moves]
    parts += [commands.focus_workspace(ws) for ws in plan.show]
    return commands.join(parts)


def restore(plan: FocusRestore, window_command: str = "") -> str:
    """A focus restore as one payload; ``window_command`` focuses the window (built by
    commands.focus from the model's window, so its criteria name it safely)."""
    parts = [commands.focus_workspace(ws) for ws in plan.show]
    if window_command:
        parts.append(window_command)
    return commands.join(parts)
