"""What survives an i3 crash: the service's own record of which X11 window belongs to
which project and where it was last seen, and the plan to give windows back to their
projects when a new i3 adopts them unmarked. Pure."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

from .marks import Rect, assignment_mark, restore_mark, token_of
from .snapshot import SavedWindow, Snapshot
from .switch import Hide, SwitchPlan
from .window import Window

MEMORY_VERSION: Final = 1
MAX_REMEMBERED: Final = 10_000


@dataclass(frozen=True, slots=True)
class Remembered:
    """One assigned window, as the service last knew it (keyed by its X11 id)."""

    project: str
    token: str  # the token of its assignment mark, kept so the mark comes back the same
    workspace: str  # where it was last seen outside the scratchpad
    floating: bool
    rect: Rect | None
    # X11 ids are reused by the next X server (after a logout): a window is only taken
    # for the remembered one if its class and instance are the same, and the record was
    # written under the same X server ("" where that is not known).
    wm_class: str = ""
    instance: str = ""
    server: str = ""


def remember(windows: Iterable[Window], server: str = "") -> dict[int, Remembered]:
    """The record of every assigned X11 window; a hidden window is remembered where its
    restore mark says it was, not in the scratchpad. ``server``: the X server's identity."""
    memory: dict[int, Remembered] = {}
    for w in windows:
        if not (w.x11_id and w.project):
            continue
        token = next((t for m in w.assignment_marks if (t := token_of(m))), "")
        if w.restore is not None and w.in_scratchpad:
            workspace, floating, rect = w.restore.workspace, w.restore.floating, w.restore.rect
        else:
            workspace, floating, rect = w.workspace, w.floating, w.rect
        memory[w.x11_id] = Remembered(
            w.project, token, workspace, floating, rect, w.wm_class, w.instance, server
        )
    return memory


@dataclass(frozen=True, slots=True)
class Recovery:
    """A window an i3 adopted without marks, and what the service remembers of it."""

    window: Window
    remembered: Remembered


def plan_recovery(
    windows: Iterable[Window],
    memory: Mapping[int, Remembered],
    projects: Collection[str],
    server: str = "",
) -> list[Recovery]:
    """Windows that carry no assignment mark but are remembered for a project that still
    exists: their marks died with an i3 that did not restart in place. Only under the X
    server the record was written under (when both are known), and only a window of
    the remembered class and instance: the next session's first terminal may get the
    id that a hidden one had in the last, and must not be taken for it."""
    found = []
    for w in windows:
        r = memory.get(w.x11_id) if w.x11_id else None
        if r is None or w.assignment_marks or r.project not in projects:
            continue
        if (r.wm_class, r.instance) != (w.wm_class, w.instance):
            continue
        if r.server and server and r.server != server:
            continue
        found.append(Recovery(w, r))
    return found


def memory_to_json(memory: Mapping[int, Remembered]) -> dict[str, Any]:
    return {
        "version": MEMORY_VERSION,
        "windows": {
            str(x11): {
                "project": r.project,
                "token": r.token,
                "workspace": r.workspace,
                "floating": r.floating,
                "rect": list(r.rect) if r.rect is not None else None,
                "class": r.wm_class,
                "instance": r.instance,
                "server": r.server,
            }
            for x11, r in memory.items()
        },
    }


def memory_from_json(data: object) -> dict[int, Remembered]:
    """Read the record; anything malformed is skipped entry by entry (it is a cache of
    what i3 knew, never the user's data), and another version is read as empty."""
    if not isinstance(data, dict) or data.get("version") != MEMORY_VERSION:
        return {}
    entries = data.get("windows")
    if not isinstance(entries, dict):
        return {}
    memory: dict[int, Remembered] = {}
    for key, value in list(entries.items())[:MAX_REMEMBERED]:
        entry = _entry(key, value)
        if entry is not None:
            memory[entry[0]] = entry[1]
    return memory


def _entry(key: object, value: object) -> tuple[int, Remembered] | None:
    if not (isinstance(key, str) and key.isdigit() and isinstance(value, dict)):
        return None
    fields = (value.get("project"), value.get("token"), value.get("workspace"))
    if not all(isinstance(f, str) for f in fields) or not isinstance(value.get("floating"), bool):
        return None
    raw = value.get("rect")
    rect: Rect | None = None
    if isinstance(raw, list) and len(raw) == 4 and all(type(v) is int for v in raw):
        rect = (raw[0], raw[1], raw[2], raw[3])
    project, token, workspace = (str(f) for f in fields)
    # Written before these were kept: never matched (no window has class "").
    wm_class, instance, server = (
        v if isinstance(v := value.get(k), str) else "" for k in ("class", "instance", "server")
    )
    return int(key), Remembered(
        project, token, workspace, bool(value["floating"]), rect, wm_class, instance, server
    )


def recovery_snapshot(
    project: str, recovered: Iterable[Recovery], last: Snapshot | None
) -> Snapshot:
    """What puts the active project's recovered windows back: each window as its "last"
    snapshot saved it, when saved on the workspace the record says; else on that
    workspace, tiled at its end or floating where it was."""
    saved = {w.x11_id: w for w in last.windows if w.x11_id} if last is not None else {}
    windows: list[SavedWindow] = []
    for r in recovered:
        w, where = r.window, r.remembered
        known = saved.get(w.x11_id)
        if known is not None and known.workspace == where.workspace:
            windows.append(replace(known, token=where.token))
            continue
        windows.append(
            SavedWindow(
                x11_id=w.x11_id,
                token=where.token,
                wm_class=w.wm_class,
                instance=w.instance,
                title=w.title,
                role="",
                workspace=where.workspace,
                output="",
                floating=where.floating,
                rect=where.rect if where.floating else None,
                path=(),
                argv=(),
                cwd="",
                focused=False,
            )
        )
    name = last.name if last is not None else "recovery"
    return Snapshot(project, name, "", "", tuple(windows))


def recovery_plan(
    recovered: Iterable[Recovery], tokens: Mapping[int, str], active: str
) -> tuple[list[tuple[Window, str]], SwitchPlan]:
    """The assignment mark each recovered window gets back (``tokens``: the token for
    each, by container id), and the plan that hides those of inactive projects with a
    restore mark for where the record says they were, not where the new i3 put them.
    The plan's windows carry their marks already: commands name them by it, and the
    marks are set first in the same payload."""
    marks: list[tuple[Window, str]] = []
    hide: list[Hide] = []
    for r in recovered:
        w, where = r.window, r.remembered
        token = tokens[w.id]
        mark = assignment_mark(where.project, token)
        marks.append((w, mark))
        if where.project != active:
            marked = replace(w, marks=(*w.marks, mark))
            rect = where.rect if where.floating else None
            hide.append(
                Hide(marked, restore_mark(token, where.floating, where.workspace, rect), ())
            )
    return marks, SwitchPlan(active, tuple(hide), ())
