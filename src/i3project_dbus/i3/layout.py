"""Turning a GET_TREE reply into the typed layout (model.layout): workspaces' tiling
trees and the scratchpad's entries. i3/tree.py reads the same reply for windows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..model.layout import Forest, Hidden, Layout, Node, Workspace
from ..model.window import SCRATCHPAD
from .tree import is_window

Json = dict[str, Any]

_LAYOUTS = {layout.value: layout for layout in Layout}


def _layout(con: Json) -> Layout:
    return _LAYOUTS.get(str(con.get("layout") or ""), Layout.SPLITH)


def _size(con: Json) -> tuple[int, int]:
    rect = con.get("rect") or {}
    return int(rect.get("width") or 0), int(rect.get("height") or 0)


def _focus(con: Json, children: tuple[Node, ...]) -> tuple[int, ...]:
    ids = {c.con_id for c in children}
    return tuple(int(i) for i in con.get("focus") or () if int(i) in ids)


def node(con: Json) -> Node:
    """One tiled container and everything under it (floating ones aside)."""
    window = is_window(con)
    children = () if window else tuple(node(c) for c in con.get("nodes") or ())
    return Node(
        con_id=int(con["id"]),
        layout=_layout(con),
        percent=float(con.get("percent") or 0.0),
        marks=tuple(str(m) for m in con.get("marks") or ()),
        window=window,
        x11=int(con.get("window") or 0),
        children=children,
        focus=_focus(con, children),
        fullscreen=con.get("fullscreen_mode") == 1,
        size=_size(con),
    )


def _hidden_root(floating: Json, sway: bool) -> Json | None:
    """What a scratchpad entry holds: i3 wraps it in a floating container of its own,
    sway makes the container itself floating."""
    if sway or is_window(floating):
        return floating
    inner: list[Json] = list(floating.get("nodes") or [])
    return inner[0] if len(inner) == 1 else None


def _workspaces(root: Json) -> Iterator[tuple[Json, bool]]:
    """Every workspace, and whether it is the one its output shows (the first its parent
    lists as focused)."""
    for output in root.get("nodes") or ():
        for content in output.get("nodes") or ():
            if content.get("type") == "workspace":
                # sway puts workspaces right under the output
                yield content, _first_focus(output) == content.get("id")
            for ws in content.get("nodes") or ():
                if ws.get("type") == "workspace":
                    yield ws, _first_focus(content) == ws.get("id")


def _first_focus(con: Json) -> object:
    focus = con.get("focus") or ()
    return focus[0] if focus else None


def _focused(con: Json, workspace: str = "") -> tuple[int, str]:
    if con.get("type") == "workspace":
        workspace = str(con.get("name") or "")
    if con.get("focused"):
        return int(con["id"]), workspace
    for child in [*(con.get("nodes") or ()), *(con.get("floating_nodes") or ())]:
        found = _focused(child, workspace)
        if found[0]:
            return found
    return 0, ""


def forest(root: Json, sway: bool = False) -> Forest:
    """Every workspace's tiling tree, and the scratchpad's entries (those a "scratchpad
    show" put on a workspace count too, with ``shown`` naming it)."""
    workspaces: list[Workspace] = []
    hidden: list[Hidden] = []
    for ws, visible in _workspaces(root):
        name = str(ws.get("name") or "")
        children = tuple(node(c) for c in ws.get("nodes") or ())
        if name != SCRATCHPAD:
            focus = _focus(ws, children)
            workspaces.append(
                Workspace(name, int(ws["id"]), _layout(ws), children, focus, _size(ws), visible)
            )
        for floating in ws.get("floating_nodes") or ():
            peeked = floating.get("scratchpad_state") not in (None, "none")
            if name != SCRATCHPAD and not peeked:
                continue
            inner = _hidden_root(floating, sway)
            if inner is not None:
                hidden.append(Hidden(node(inner), "" if name == SCRATCHPAD else name))
    return Forest(tuple(workspaces), tuple(hidden), *_focused(root))
