"""Turning i3 and sway JSON (GET_TREE replies and event containers) into model Windows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..model.marks import Rect
from ..model.window import Window

Node = dict[str, Any]


def is_window(node: Node) -> bool:
    """An X window (i3, XWayland) or a native Wayland view (sway: app_id or shell)."""
    return bool(node.get("window")) or node.get("app_id") is not None or "shell" in node


def find_window_node(node: Node) -> Node | None:
    """The window an event is about: the container itself, or (i3, in the move events of
    floating windows) the one window inside a floating wrapper. A split container's event
    is about no one window, even one with windows inside: a unit the service moved to the
    scratchpad comes as a floating wrapper round a split container, and its scratchpad
    state and geometry belong to the unit, not to the first window in it."""
    if is_window(node):
        return node
    if node.get("type") == "floating_con":
        children: list[Node] = node.get("nodes") or []
        if len(children) == 1 and is_window(children[0]):
            return children[0]
    return None


def window_nodes(node: Node) -> Iterator[Node]:
    """Every window in a container, itself included."""
    if is_window(node):
        yield node
        return
    for child in [*(node.get("nodes") or ()), *(node.get("floating_nodes") or ())]:
        yield from window_nodes(child)


@dataclass(frozen=True, slots=True)
class Place:
    """What a window inherits from the containers above it."""

    workspace: str = ""
    output: str = ""
    floating: bool = False
    scratchpad: bool = False
    rect: Rect | None = None


def rect_of(node: Node) -> Rect | None:
    """A container's rect as (x, y, width, height), or None if it has none."""
    r = node.get("rect") or {}
    try:
        return (int(r["x"]), int(r["y"]), int(r["width"]), int(r["height"]))
    except (KeyError, TypeError, ValueError):
        return None


def scratchpad_state(node: Node) -> bool:
    """Whether i3 counts this container as a scratchpad window."""
    # i3 keeps it on the floating wrapper of a scratchpad window, sway on the window.
    return node.get("scratchpad_state") not in (None, "none")


def _pid(node: Node) -> int:
    pid = node.get("pid")
    return pid if isinstance(pid, int) and not isinstance(pid, bool) and pid > 0 else 0


def window_from_node(node: Node, place: Place | None = None) -> Window:
    place = place or Place()
    props = node.get("window_properties") or {}
    wm_class = props.get("class") or node.get("app_id") or ""
    own_floating = node.get("type") == "floating_con"
    floating = place.floating or own_floating or node.get("floating") in ("user_on", "auto_on")
    rect = place.rect or (rect_of(node) if own_floating else None)
    return Window(
        id=int(node["id"]),
        wm_class=str(wm_class),
        instance=str(props.get("instance") or ""),
        title=str(node.get("name") or ""),
        workspace=place.workspace,
        output=place.output,
        floating=floating,
        focused=bool(node.get("focused")),
        urgent=bool(node.get("urgent")),
        marks=tuple(str(m) for m in node.get("marks") or ()),
        x11_id=int(node.get("window") or 0),
        scratchpad_window=place.scratchpad or scratchpad_state(node),
        rect=rect if floating else None,
        pid=_pid(node),
    )


def window_from_event(container: Node, node: Node, place: Place) -> Window:
    """The window of an event whose ``container`` holds ``node`` (find_window_node).
    A floating wrapper, when the event sends one, tells the current geometry."""
    if container is not node and container.get("type") == "floating_con":
        place = Place(place.workspace, place.output, True, place.scratchpad, rect_of(container))
    return window_from_node(node, place)


def _walk(node: Node, place: Place) -> Iterator[Window]:
    kind = node.get("type")
    if kind == "dockarea":
        return  # bars and docks are not windows a user works in
    if kind == "output":
        place = Place(output=str(node.get("name") or ""))
    elif kind == "workspace":
        place = Place(workspace=str(node.get("name") or ""), output=place.output)
    if kind in ("con", "floating_con") and is_window(node):
        yield window_from_node(node, place)
        return
    if kind == "floating_con":
        place = Place(
            place.workspace,
            place.output,
            floating=True,
            scratchpad=place.scratchpad or scratchpad_state(node),
            rect=place.rect or rect_of(node),
        )
    for child in node.get("nodes") or ():
        yield from _walk(child, place)
    for child in node.get("floating_nodes") or ():
        yield from _walk(child, Place(place.workspace, place.output, True, place.scratchpad))


def windows_from_tree(root: Node) -> list[Window]:
    """Every window in a GET_TREE reply, with its workspace, output and floating place."""
    return list(_walk(root, Place()))
