"""Reading GET_OUTPUTS / GET_WORKSPACES into the model, and the commands that move workspaces."""

from __future__ import annotations

import json

from i3project_dbus.i3 import commands
from i3project_dbus.i3.outputs import (
    move_workspace,
    outputs_from_json,
    reassign,
    restore,
    screens_from_json,
    workspaces_from_json,
)
from i3project_dbus.model.focus import FocusRestore
from i3project_dbus.model.outputs import Output, Workspace
from i3project_dbus.model.reassign import Move, Reassignment
from i3project_dbus.model.window import Window

# As i3 4.22 answered under Xvfb with two RandR monitors, RIGHT unplugged.
I3_OUTPUTS = json.loads(
    '[{"name":"xroot-0","active":false,"primary":false,"rect":{"x":0,"y":0,"width":1600,'
    '"height":1000},"current_workspace":null},{"name":"LEFT","active":true,"primary":false,'
    '"rect":{"x":0,"y":0,"width":800,"height":1000},"current_workspace":"2"},{"name":"RIGHT",'
    '"active":false,"primary":false,"rect":{"x":800,"y":0,"width":800,"height":1000},'
    '"current_workspace":null}]'
)
I3_WORKSPACES = json.loads(
    '[{"id":94356946977296,"num":1,"name":"1","visible":false,"focused":false,"rect":{"x":0,'
    '"y":0,"width":800,"height":1000},"output":"LEFT","urgent":false},{"id":94356946980400,'
    '"num":2,"name":"2","visible":true,"focused":true,"rect":{"x":0,"y":0,"width":800,'
    '"height":1000},"output":"LEFT","urgent":false},{"num":-1,"name":"mail","visible":false,'
    '"focused":false,"output":"LEFT"}]'
)
# As sway 1.7 answers (fields the model does not keep left out).
SWAY_OUTPUTS = [
    {
        "name": "X11-1",
        "active": True,
        "primary": False,
        "rect": {"x": 0, "y": 0, "width": 800, "height": 600},
        "make": "The X.Org Foundation",
        "model": "11.0",
        "serial": "",
        "current_workspace": "1",
        "focused": True,
    }
]


def test_i3_outputs_without_the_root_pseudo_output() -> None:
    assert outputs_from_json(I3_OUTPUTS) == (
        Output("LEFT", True, False, (0, 0, 800, 1000), "2"),
        Output("RIGHT", False, False, (800, 0, 800, 1000), ""),
    )


def test_sway_outputs_keep_make_model_serial() -> None:
    (x11,) = outputs_from_json(SWAY_OUTPUTS)
    assert x11.identity == "The X.Org Foundation 11.0"
    assert x11.rect == (0, 0, 800, 600)


def test_workspaces() -> None:
    assert workspaces_from_json(I3_WORKSPACES) == (
        Workspace("1", "LEFT", 1),
        Workspace("2", "LEFT", 2, visible=True, focused=True),
        Workspace("mail", "LEFT", -1),
    )
    screens = screens_from_json(I3_OUTPUTS, I3_WORKSPACES)
    assert screens.focused is not None and screens.focused.name == "2"


def test_malformed_replies_give_nothing_rather_than_fail() -> None:
    assert outputs_from_json({"error": 1}) == ()
    assert outputs_from_json([1, {"name": 3}, {"name": "A", "rect": {"x": "?"}}]) == (
        Output("A", False),
    )
    assert workspaces_from_json([{"name": "1", "num": True, "output": None}]) == (
        Workspace("1", "", -1),
    )


def test_move_is_quoted_and_focuses_first() -> None:
    assert move_workspace("2", "LEFT") == (
        'workspace --no-auto-back-and-forth "2"; move workspace to output "LEFT"'
    )
    hostile = '"]; exec touch /tmp/canary; ["'
    command = move_workspace(hostile, hostile)
    assert command.count(commands.quote(hostile)) == 2
    assert "exec" not in command.replace(commands.quote(hostile), "")


def test_reassign_and_restore_payloads() -> None:
    plan = Reassignment((Move("2", "RIGHT"),), ("2", "1"))
    assert reassign(plan) == (
        'workspace --no-auto-back-and-forth "2"; move workspace to output "RIGHT"; '
        'workspace --no-auto-back-and-forth "2"; workspace --no-auto-back-and-forth "1"'
    )
    window = Window(7, x11_id=0x400001)
    assert restore(FocusRestore(("1",), 7), commands.focus(window)) == (
        f'workspace --no-auto-back-and-forth "1"; [id={0x400001}] focus'
    )
    assert restore(FocusRestore()) == ""
