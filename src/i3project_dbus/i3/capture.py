"""Reading what a layout snapshot keeps of each window out of i3's or sway's tree: its
place in the workspace's tiling (layout, index and share of every container on the way
down), floating geometry, role and process. The only place snapshots meet i3's JSON."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..model.captured import Capture, CapturedWindow, Screen
from ..model.marks import Rect
from ..model.snapshot import PathStep
from .tree import Place, is_window, window_from_node

Node = dict[str, Any]


def _share(node: Node, count: int) -> float:
    percent = node.get("percent")
    if isinstance(percent, int | float) and 0 < percent <= 1:
        return float(percent)
    return 1.0 / count if count else 1.0


def _rect(node: Node) -> Rect:
    rect = node.get("rect") or {}
    return (
        int(rect.get("x") or 0),
        int(rect.get("y") or 0),
        int(rect.get("width") or 0),
        int(rect.get("height") or 0),
    )


def _capture(node: Node, place: Place, path: tuple[PathStep, ...]) -> CapturedWindow:
    window = window_from_node(node, place)
    props = node.get("window_properties") or {}
    pid = node.get("pid")
    return CapturedWindow(
        window,
        path,
        str(props.get("window_role") or ""),
        pid if isinstance(pid, int) and pid > 0 else 0,
    )


def _tiled(node: Node, place: Place, path: tuple[PathStep, ...]) -> Iterator[CapturedWindow]:
    if is_window(node):
        yield _capture(node, place, path)
        return
    children = node.get("nodes") or ()
    layout = str(node.get("layout") or "splith")
    for index, child in enumerate(children):
        step = PathStep(layout, index, len(children), _share(child, len(children)))
        yield from _tiled(child, place, (*path, step))


def _floating(node: Node, place: Place) -> Iterator[CapturedWindow]:
    if is_window(node):
        yield _capture(node, place, ())
        return
    for child in [*(node.get("nodes") or ()), *(node.get("floating_nodes") or ())]:
        yield from _floating(child, place)


def _workspace(ws: Node, output: str) -> Iterator[CapturedWindow]:
    name = str(ws.get("name") or "")
    yield from _tiled(ws, Place(workspace=name, output=output), ())
    for wrapper in ws.get("floating_nodes") or ():
        place = Place(name, output, floating=True, rect=_outer(wrapper))
        yield from _floating(wrapper, place)


def _outer(wrapper: Node) -> Rect:
    """A floating container's geometry as ``move position`` and ``resize set`` take it:
    i3's wrapper includes the title bar; sway's window (its own floating container)
    reports the rect below it, and the title bar in ``deco_rect``, there or not as the
    client chose server-side decorations or its own."""
    x, y, width, height = _rect(wrapper)
    if is_window(wrapper):
        title = int((wrapper.get("deco_rect") or {}).get("height") or 0)
        return (x, y - title, width, height + title)
    return (x, y, width, height)


def _workspaces(output: Node) -> Iterator[Node]:
    for child in output.get("nodes") or ():
        # i3 keeps workspaces in the output's "content" container, sway right below it.
        inner = child.get("nodes") or () if child.get("type") == "con" else (child,)
        yield from (ws for ws in inner if ws.get("type") == "workspace")


def capture(root: Node) -> Capture:
    """Every window on a real workspace (not the scratchpad, not docks), in tree order,
    and the outputs that exist."""
    found: list[CapturedWindow] = []
    outputs: list[Screen] = []
    workspaces: list[tuple[str, str]] = []
    for output in root.get("nodes") or ():
        if output.get("type") != "output" or str(output.get("name", "")).startswith("__"):
            continue
        name = str(output.get("name") or "")
        outputs.append(Screen(name, _rect(output)))
        for ws in _workspaces(output):
            workspaces.append((str(ws.get("name") or ""), name))
            found.extend(_workspace(ws, name))
    return Capture(tuple(found), tuple(outputs), tuple(workspaces))
