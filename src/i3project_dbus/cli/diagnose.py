"""Consistency checks of the service's view: every window where its project says it should be.

Input is what the service reports over D-Bus: GetState (its model of the i3 tree, with
each window's i3 marks), GetManagedObjects (what it publishes) and GetTree (i3's own
tree, read by the service when asked). The placement rules are checked against i3's tree
when it is there, so a stale model cannot hide a misplaced window. Marks are read by the
model's parser (model.marks), the one the service uses. Pure functions, so the rules are
tested without a bus.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..dbus import names
from ..model.marks import parse_assignment
from ..model.window import SCRATCHPAD, Window


@dataclass(frozen=True, slots=True)
class Mismatch:
    kind: str
    window: int
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "window": self.window, "message": self.message}


def mark_project(marks: Iterable[str]) -> str | None:
    """The project the window's assignment mark names, read as the service reads it."""
    for mark in marks:
        project = parse_assignment(mark)
        if project is not None:
            return project
    return None


def _is_window(node: Mapping[str, Any]) -> bool:
    # An X window (i3, XWayland) or a native Wayland view (sway: app_id or shell).
    return bool(node.get("window")) or node.get("app_id") is not None or "shell" in node


def _walk(node: Mapping[str, Any], workspace: str) -> Iterator[Window]:
    kind = node.get("type")
    if kind == "dockarea":
        return  # bars and docks are not windows
    if kind == "workspace":
        workspace = str(node.get("name") or "")
    if kind in ("con", "floating_con") and _is_window(node):
        props = node.get("window_properties") or {}
        wm_class = str(props.get("class") or node.get("app_id") or "")
        marks = tuple(str(m) for m in node.get("marks") or ())
        yield Window(id=int(node["id"]), wm_class=wm_class, title=str(node.get("name") or ""),
                     workspace=workspace, marks=marks)  # fmt: skip
        return
    for child in [*(node.get("nodes") or ()), *(node.get("floating_nodes") or ())]:
        yield from _walk(child, workspace)


def tree_windows(tree: Mapping[str, Any]) -> list[Window]:
    """The windows of GetTree's reply (i3's own JSON) with their workspace and marks: all
    the placement rules read. The client reads the tree itself; it never imports the
    service's i3 adapter."""
    return list(_walk(tree, ""))


def describe(window: Mapping[str, Any]) -> str:
    title = str(window.get("title", ""))
    short = title if len(title) <= 30 else title[:29] + "…"
    return f"window {window.get('id')} ({window.get('class', '?')} {short!r})"


def check_window(window: Mapping[str, Any], active: str, projects: set[str]) -> list[Mismatch]:
    con_id = int(window.get("id", 0))
    project = str(window.get("project", ""))
    scoped = window.get("scope") == "scoped"
    hidden = bool(window.get("hidden"))
    workspace = str(window.get("workspace", ""))
    found: list[Mismatch] = []

    def add(kind: str, text: str) -> None:
        found.append(Mismatch(kind, con_id, f"{describe(window)} {text}"))

    marked = mark_project(list(window.get("marks", [])))
    if marked is not None and marked != project and marked not in projects:
        add("unknown-project", f"has the i3 mark of project {marked!r}, which does not exist")
    elif marked is not None and marked != project:
        add(
            "mark-mismatch",
            f"has the i3 mark of project {marked!r} but the service says {project or 'none'!r}",
        )
    if project and project not in projects:
        add("unknown-project", f"belongs to project {project!r}, which does not exist")
    if (
        active
        and project
        and scoped
        and project != active
        and not hidden
        and workspace != SCRATCHPAD
    ):
        add(
            "visible-outside-project",
            f"of project {project!r} is visible on workspace"
            f" {workspace!r} while {'project ' + repr(active) if active else 'no project'}"
            " is active",
        )
    if hidden and project and project == active:
        add("hidden-while-active", f"is hidden although its project {project!r} is active")
    if hidden and not project:
        add("hidden-unassigned", "is hidden by a switch but belongs to no project")
    if hidden and workspace != SCRATCHPAD:
        add("hidden-not-in-scratchpad", f"is marked hidden but sits on workspace {workspace!r}")
    return found


def check_objects(
    state: Mapping[str, Any], objects: Mapping[str, Mapping[str, Mapping[str, Any]]]
) -> list[Mismatch]:
    """Windows and projects in the model but not on the bus, or the other way round."""
    found: list[Mismatch] = []
    published = {
        int(ifaces[names.WINDOW_IFACE].get("Id", 0)): path
        for path, ifaces in objects.items()
        if names.WINDOW_IFACE in ifaces
    }
    known = {int(w.get("id", 0)): w for w in state.get("windows", [])}
    for con_id, window in known.items():
        if con_id not in published:
            found.append(
                Mismatch(
                    "unpublished-window", con_id, f"{describe(window)} has no object on the bus"
                )
            )
    for con_id, path in published.items():
        if con_id not in known:
            found.append(
                Mismatch(
                    "unknown-window",
                    con_id,
                    f"the bus shows {path}, a window the service does not know",
                )
            )
    project_objects = {
        str(ifaces[names.PROJECT_IFACE].get("Name", ""))
        for ifaces in objects.values()
        if names.PROJECT_IFACE in ifaces
    }
    project_names = {str(p.get("name", "")) for p in state.get("projects", [])}
    for name in sorted(project_names - project_objects):
        found.append(Mismatch("unpublished-project", 0, f"project {name!r} has no object"))
    for name in sorted(project_objects - project_names):
        found.append(Mismatch("unknown-project", 0, f"the bus shows unknown project {name!r}"))
    return found


def check_tree(state: Mapping[str, Any], tree: Mapping[str, Any]) -> list[Mismatch]:
    """The model against i3's tree: windows one side does not know, and places that differ."""
    found: list[Mismatch] = []
    known = {int(w.get("id", 0)): w for w in state.get("windows", [])}
    in_i3 = {w.id: w for w in tree_windows(tree)}
    for con_id, real in in_i3.items():
        window = known.get(con_id)
        if window is None:
            found.append(Mismatch("untracked-window", con_id,
                                  f"i3 has window {con_id} ({real.wm_class} {real.title[:30]!r}),"
                                  " which the service does not know"))  # fmt: skip
        elif str(window.get("workspace", "")) != real.workspace:
            found.append(Mismatch("stale-workspace", con_id,
                                  f"{describe(window)} is on workspace {real.workspace!r} in i3,"
                                  f" not {window.get('workspace')!r}"))  # fmt: skip
    for con_id, window in known.items():
        if con_id not in in_i3:
            found.append(Mismatch("ghost-window", con_id,
                                  f"{describe(window)} is not in i3's tree any more"))  # fmt: skip
    return found


def _as_in_i3(state: Mapping[str, Any], tree: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The service's windows with i3's placement and marks, for the placement rules."""
    in_i3 = {w.id: w for w in tree_windows(tree)}
    merged = []
    for window in state.get("windows", []):
        real = in_i3.get(int(window.get("id", 0)))
        if real is not None:
            window = {**window, "workspace": real.workspace, "marks": list(real.marks),
                      "hidden": real.hidden}  # fmt: skip
        merged.append(window)
    return merged


def diagnose(
    state: Mapping[str, Any],
    objects: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
    tree: Mapping[str, Any] | None = None,
) -> list[Mismatch]:
    """Every mismatch between where windows are and where their projects say they belong."""
    found: list[Mismatch] = []
    if not state.get("connected", True):
        found.append(Mismatch("disconnected", 0, "the service is not connected to i3"))
    active = str(state.get("active_project", ""))
    projects = {str(p.get("name", "")) for p in state.get("projects", [])}
    if active and active not in projects:
        found.append(
            Mismatch("unknown-project", 0, f"the active project {active!r} does not exist")
        )
    for error in state.get("config_errors", []):
        found.append(Mismatch("config-error", 0, str(error)))
    windows = state.get("windows", []) if tree is None else _as_in_i3(state, tree)
    for window in windows:
        found.extend(check_window(window, active, projects))
    if objects is not None:
        found.extend(check_objects(state, objects))
    if tree is not None:
        found.extend(check_tree(state, tree))
    return found
