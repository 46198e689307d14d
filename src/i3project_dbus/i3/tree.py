"""Turning i3 and sway JSON (GET_TREE replies and event containers) into model Windows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from ..model.window import Window

Node = dict[str, Any]


def is_window(node: Node) -> bool:
    """An X window (i3, XWayland) or a native Wayland view (sway: app_id or shell)."""
    return bool(node.get("window")) or node.get("app_id") is not None or "shell" in node


def window_from_node(
    node: Node, workspace: str = "", output: str = "", scratchpad: bool = False
) -> Window:
    props = node.get("window_properties") or {}
    app_id = node.get("app_id")
    wm_class = props.get("class") or app_id or ""
    floating = node.get("floating") in ("user_on", "auto_on") or node.get("type") == "floating_con"
    return Window(
        id=int(node["id"]),
        wm_class=str(wm_class),
        instance=str(props.get("instance") or ""),
        title=str(node.get("name") or ""),
        workspace=workspace,
        output=output,
        floating=floating,
        focused=bool(node.get("focused")),
        urgent=bool(node.get("urgent")),
        marks=tuple(str(m) for m in node.get("marks") or ()),
        x11_id=int(node.get("window") or 0),
        scratchpad_window=scratchpad or _scratchpad_state(node),
    )


def _scratchpad_state(node: Node) -> bool:
    # i3 keeps it on the floating wrapper of a scratchpad window, sway on the window.
    return node.get("scratchpad_state") not in (None, "none")


def _walk(
    node: Node, workspace: str, output: str, floating: bool, scratchpad: bool = False
) -> Iterator[Window]:
    kind = node.get("type")
    if kind == "dockarea":
        return  # bars and docks are not windows a user works in
    if kind == "output":
        output = str(node.get("name") or "")
    elif kind == "workspace":
        workspace = str(node.get("name") or "")
    if kind in ("con", "floating_con") and is_window(node):
        window = window_from_node(node, workspace, output, scratchpad)
        if floating and not window.floating:
            window = _as_floating(window)
        yield window
        return
    scratchpad = scratchpad or (kind == "floating_con" and _scratchpad_state(node))
    for child in node.get("nodes") or ():
        yield from _walk(child, workspace, output, floating or kind == "floating_con", scratchpad)
    for child in node.get("floating_nodes") or ():
        yield from _walk(child, workspace, output, True, scratchpad)


def _as_floating(window: Window) -> Window:
    return replace(window, floating=True)


def windows_from_tree(root: Node) -> list[Window]:
    """Every window in a GET_TREE reply, with its workspace and output."""
    return list(_walk(root, "", "", False))
