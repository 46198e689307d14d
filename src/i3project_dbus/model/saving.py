"""A project's snapshot made from a tree read: each of its windows with its place, its
process's command where that may be kept, and the focused one. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from .captured import CapturedWindow
from .marks import token_of
from .snapshot import (
    LAYOUTS,
    MAX_ARGV,
    MAX_TEXT,
    MAX_WINDOWS,
    PathStep,
    SavedWindow,
    Snapshot,
    excluded,
)
from .window import Window

# argv and cwd of a window's process, by the window's container id
Processes = Mapping[int, tuple[tuple[str, ...], str]]


def _text(value: str) -> str:
    """What a snapshot file can hold and read back: no NUL, at most MAX_TEXT long."""
    return value.replace("\0", "")[:MAX_TEXT]


def _path(path: Sequence[PathStep]) -> tuple[PathStep, ...]:
    """The steps as a snapshot file can hold them (a layout it does not know is splith)."""
    return tuple(
        s if s.layout in LAYOUTS else PathStep("splith", s.index, s.count, s.percent)
        for s in path[:64]
    )


def _token(window: Window) -> str:
    return next((t for m in window.assignment_marks if (t := token_of(m))), "")


def _command(
    window: Window, processes: Processes, exclude: Iterable[str]
) -> tuple[tuple[str, ...], str]:
    argv, cwd = processes.get(window.id, ((), ""))
    if len(argv) > MAX_ARGV or any(len(a) > MAX_TEXT or "\0" in a for a in argv):
        return (), ""  # cannot be read back whole: better none than a wrong one
    if excluded(argv, exclude):
        return (), ""
    return argv, _text(cwd)


def _saved(window: Window, processes: Processes, exclude: Iterable[str]) -> SavedWindow:
    """A window hidden by a switch: where its restore mark says it was, no tiling path."""
    argv, cwd = _command(window, processes, exclude)
    r = window.restore
    assert r is not None
    return SavedWindow(
        x11_id=window.x11_id,
        token=_text(_token(window)),
        wm_class=_text(window.wm_class),
        instance=_text(window.instance),
        title=_text(window.title),
        role="",
        workspace=_text(r.workspace),
        output="",
        floating=r.floating,
        rect=r.rect if r.floating else None,
        path=(),
        argv=argv,
        cwd=cwd,
        focused=False,
    )


def snapshot_of(
    project: str,
    name: str,
    captured: Sequence[CapturedWindow],
    hidden: Iterable[Window],
    processes: Processes,
    exclude: Iterable[str],
    saved_at: str,
    window_manager: str,
) -> Snapshot:
    """The snapshot of ``project``'s windows: those on workspaces as the tree shows them,
    and those a switch hid (``hidden``), where their restore marks say they were."""
    exclude = tuple(exclude)
    windows: list[SavedWindow] = []
    for c in captured:
        w = c.window
        if w.project != project or not w.workspace or w.workspace.startswith("__"):
            continue
        argv, cwd = _command(w, processes, exclude)
        windows.append(
            SavedWindow(
                x11_id=w.x11_id,
                token=_text(_token(w)),
                wm_class=_text(w.wm_class),
                instance=_text(w.instance),
                title=_text(w.title),
                role=_text(c.role),
                workspace=_text(w.workspace),
                output=_text(w.output),
                floating=w.floating,
                rect=w.rect if w.floating else None,
                path=_path(c.path) if not w.floating else (),
                argv=argv,
                cwd=cwd,
                focused=w.focused,
            )
        )
    seen = {w.id for w in (c.window for c in captured)}
    for w in hidden:
        if w.project == project and w.id not in seen and w.restore is not None:
            windows.append(_saved(w, processes, exclude))
    return Snapshot(project, name, saved_at, window_manager, tuple(windows[:MAX_WINDOWS]))
