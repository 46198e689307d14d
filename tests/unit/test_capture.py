"""Capturing windows' places for a snapshot from i3's and sway's tree JSON."""

from typing import Any

from i3project_dbus.i3.capture import capture
from i3project_dbus.model.snapshot import PathStep


def win(con_id: int, percent: float | None, **kw: Any) -> dict[str, Any]:
    node: dict[str, Any] = {
        "id": con_id,
        "type": "con",
        "window": 1000 + con_id,
        "percent": percent,
        "name": f"w{con_id}",
        "marks": [f"project:a:{con_id}"],
        "window_properties": {"class": "XTerm", "instance": "xterm", "window_role": "r"},
        "nodes": [],
        "floating_nodes": [],
    }
    node.update(kw)
    return node


def split(layout: str, percent: float, *children: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": 900,
        "type": "con",
        "layout": layout,
        "percent": percent,
        "rect": {"x": 300, "y": 0, "width": 700, "height": 400},
        "nodes": list(children),
    }


def workspace(name: str, *nodes: dict[str, Any], floating: list[Any] | None = None) -> Any:
    return {
        "id": 77,
        "type": "workspace",
        "name": name,
        "layout": "splith",
        "nodes": list(nodes),
        "floating_nodes": floating or [],
    }


def test_i3_tree_paths_and_floating() -> None:
    ws = workspace(
        "2",
        win(1, 0.3),
        split("splitv", 0.7, win(2, 0.5), win(3, 0.5, focused=True)),
        floating=[
            {
                "type": "floating_con",
                "rect": {"x": 10, "y": 20, "width": 300, "height": 200},
                "nodes": [win(4, 1.0)],
            }
        ],
    )
    root = {
        "nodes": [
            {"type": "output", "name": "__i3", "nodes": []},
            {
                "type": "output",
                "name": "LEFT",
                "rect": {"x": 0, "y": 0, "width": 1000, "height": 400},
                "nodes": [
                    {"type": "dockarea", "nodes": []},
                    {"type": "con", "name": "content", "nodes": [ws]},
                ],
            },
        ]
    }
    captured = capture(root)
    got = {c.window.id: c for c in captured.windows}
    assert got[1].path == (PathStep("splith", 0, 2, 0.3),)
    assert got[3].path == (PathStep("splith", 1, 2, 0.7), PathStep("splitv", 1, 2, 0.5))
    assert got[3].window.focused and got[3].window.workspace == "2"
    assert got[3].window.output == "LEFT" and got[3].role == "r" and got[3].pid == 0
    assert got[4].path == () and got[4].window.floating
    assert got[4].window.rect == (10, 20, 300, 200)
    assert list(got) == [1, 2, 3, 4]
    assert [o.name for o in captured.outputs] == ["LEFT"]
    assert captured.outputs[0].rect == (0, 0, 1000, 400)
    assert captured.workspaces == (("2", "LEFT"),)


def test_sway_tree_has_workspaces_under_outputs_and_pids() -> None:
    native = win(5, None, window=None, app_id="foot", pid=4242, window_properties=None)
    root = {"nodes": [{"type": "output", "name": "HEADLESS-1", "nodes": [workspace("1", native)]}]}
    [c] = capture(root).windows
    assert c.pid == 4242 and c.window.wm_class == "foot"
    assert c.path == (PathStep("splith", 0, 1, 1.0),)


def test_sway_floating_geometry_includes_the_title_bar() -> None:
    floating = win(
        6, None, window=None, app_id="foot", type="floating_con",
        rect={"x": 100, "y": 145, "width": 400, "height": 275},
        deco_rect={"x": 0, "y": 0, "width": 400, "height": 25},
    )  # fmt: skip
    ws = workspace("3", floating=[floating])
    root = {"nodes": [{"type": "output", "name": "HEADLESS-1", "nodes": [ws]}]}
    [c] = capture(root).windows
    assert c.window.floating and c.window.rect == (100, 120, 400, 300)
