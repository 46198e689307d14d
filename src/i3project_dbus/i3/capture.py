"""Reading what a layout snapshot keeps of each window out of i3's or sway's tree: its
place in the workspace's tiling (layout, index and share of every container on the way
down), floating geometry, role and process. The only place snapshots meet i3's JSON."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..model.snapshot import PathStep
from ..model.window import Window
from .tree import Place, is_window, window_from_node

Node = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Captured:
    window: Window  # with workspace and output, as the tracker would see it
    path: tuple[PathStep, ...]  # from the workspace down; () for a floating window
    role: str  # WM_WINDOW_ROLE, "" when none
    pid: int  # the tree's pid (sway); 0 on i3, which does not say


def _share(node: Node, count: int) -> float:
    percent = node.get("percent")
    if isinstance(percent, int | float) and 0 < percent <= 1:
        return float(percent)
    return 1.0 / count if count else 1.0


def _capture(node: Node, place: Place, path: tuple[PathStep, ...]) -> Captured:
    window = window_from_node(node, place)
    props = node.get("window_properties") or {}
    pid = node.get("pid")
    return Captured(
        window,
        path,
        str(props.get("window_role") or ""),
        pid if isinstance(pid, int) and pid > 0 else 0,
    )


def _tiled(node: Node, place: Place, path: tuple[PathStep, ...]) -> Iterator[Captured]:
    if is_window(node):
        yield _capture(node, place, path)
        return
    children = node.get("nodes") or ()
    layout = str(node.get("layout") or "splith")
    for index, child in enumerate(children):
        step = PathStep(layout, index, len(children), _share(child, len(children)))
        yield from _tiled(child, place, (*path, step))


def _floating(node: Node, place: Place) -> Iterator[Captured]:
    if is_window(node):
        yield _capture(node, place, ())
        return
    for child in [*(node.get("nodes") or ()), *(node.get("floating_nodes") or ())]:
        yield from _floating(child, place)


def _workspace(ws: Node, output: str) -> Iterator[Captured]:
    name = str(ws.get("name") or "")
    yield from _tiled(ws, Place(workspace=name, output=output), ())
    for wrapper in ws.get("floating_nodes") or ():
        rect = wrapper.get("rect") or {}
        geometry = (int(rect["x"]), int(rect["y"]), int(rect["width"]), int(rect["height"]))
        yield from _floating(wrapper, Place(name, output, floating=True, rect=geometry))


def capture(root: Node) -> list[Captured]:
    """Every window on a real workspace (not the scratchpad, not docks), in tree order."""
    found: list[Captured] = []
    for output in root.get("nodes") or ():
        if output.get("type") != "output" or str(output.get("name", "")).startswith("__"):
            continue
        name = str(output.get("name") or "")
        for child in output.get("nodes") or ():
            # i3 keeps workspaces in the output's "content" container, sway right below it.
            inner = child.get("nodes") or () if child.get("type") == "con" else (child,)
            for ws in inner:
                if ws.get("type") == "workspace":
                    found.extend(_workspace(ws, name))
    return found
