"""The one owner of the service's state: projects, windows, the active project.

State changes go through these methods only; each tells the listeners what changed,
and the D-Bus layer is such a listener. Nothing here does I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Protocol

from .classify import Classification, Scope
from .errors import NoSuchProject, NoSuchWindow, ProjectExists
from .marks import assignment_mark, token_of
from .project import Project, validate_name
from .switch import SwitchPlan, plan_switch
from .window import SCRATCHPAD, SCRATCHPAD_OUTPUT, Window


class StateListener(Protocol):
    def window_added(self, window: Window) -> None: ...
    def window_changed(self, old: Window, new: Window) -> None: ...
    def window_removed(self, window: Window) -> None: ...
    def project_added(self, project: Project) -> None: ...
    def project_changed(self, old: Project, new: Project) -> None: ...
    def project_removed(self, project: Project) -> None: ...
    def active_changed(self, previous: str, current: str) -> None: ...


class State:
    def __init__(self, classification: Classification | None = None) -> None:
        self.classification = classification or Classification.default()
        self.projects: dict[str, Project] = {}
        self.windows: dict[int, Window] = {}
        self.active = ""
        self.config_errors: tuple[str, ...] = ()
        self._listeners: list[StateListener] = []
        # Event bookkeeping for merging tree snapshots with events processed meanwhile.
        self._seq = 0
        self._touched: dict[int, int] = {}
        self._closed: dict[int, int] = {}
        # Workspace name -> the output a window on it was last seen on: where a window
        # that a switch shows there lands, known before any tree read tells it.
        self.workspace_outputs: dict[str, str] = {}
        # Indexes kept by put_window and remove_window, so that a new window's mark and a
        # focus event cost the same with 10 windows as with 1,000:
        # token -> how many windows carry a mark with it;
        self._tokens: Counter[str] = Counter()
        # the windows the model has focused (one, but a merge may leave two for a moment).
        self._focused: set[int] = set()

    def add_listener(self, listener: StateListener) -> None:
        self._listeners.append(listener)

    # -- projects ---------------------------------------------------------------

    def project(self, name: str) -> Project:
        validate_name(name)
        try:
            return self.projects[name]
        except KeyError:
            raise NoSuchProject(f"no project named {name!r}") from None

    def add_project(self, project: Project) -> None:
        if project.name in self.projects:
            raise ProjectExists(f"project {project.name!r} exists already")
        self.projects[project.name] = project
        for listener in self._listeners:
            listener.project_added(project)

    def put_project(self, project: Project) -> None:
        """Add or replace a project (Reload, Update)."""
        old = self.projects.get(project.name)
        if old is None:
            self.add_project(project)
            return
        self.projects[project.name] = project
        if old != project:
            for listener in self._listeners:
                listener.project_changed(old, project)

    def remove_project(self, name: str) -> Project:
        project = self.project(name)
        del self.projects[name]
        for listener in self._listeners:
            listener.project_removed(project)
        return project

    def set_active(self, name: str) -> str:
        """Set the active project ("" for none); return the previous one."""
        previous = self.active
        if name:
            self.project(name)
        self.active = name
        if previous != name:
            for listener in self._listeners:
                listener.active_changed(previous, name)
        return previous

    def windows_of(self, project: str) -> list[Window]:
        return [w for w in self.windows.values() if w.project == project]

    # -- classification ---------------------------------------------------------

    def project_of(self, window: Window) -> str:
        """The project a window is assigned to, "" for none: a mark naming a project
        that does not exist (its file deleted while the service was stopped) counts
        as no assignment, as it does for switching."""
        return window.project if window.project in self.projects else ""

    def scope_of(self, window: Window) -> Scope:
        if self.project_of(window):
            return Scope.SCOPED
        extra: tuple[str, ...] = ()
        if self.active and self.active in self.projects:
            extra = self.projects[self.active].scoped_classes or ()
        return self.classification.scope(window.wm_class, window.instance, extra)

    def wants_assignment(self, window: Window) -> bool:
        """A new, unassigned window of a scoped class while a project is active."""
        return bool(
            self.active
            and not window.project
            and not window.in_scratchpad
            and self.scope_of(window) is Scope.SCOPED
        )

    def new_assignment_mark(self, window: Window, project: str) -> str:
        """A mark for window in project whose token no other window uses."""
        own = Counter(_tokens(self.windows[window.id])) if window.id in self.windows else None
        base = format(window.x11_id or window.id, "x")
        token, n = base, 1
        while self._tokens[token] - (own[token] if own else 0) > 0:
            n += 1
            token = f"{base}.{n}"
        return assignment_mark(project, token)

    # -- windows ----------------------------------------------------------------

    def window(self, con_id: int) -> Window:
        try:
            return self.windows[con_id]
        except KeyError:
            raise NoSuchWindow(f"no window with id {con_id}") from None

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    @property
    def seq(self) -> int:
        return self._seq

    def put_window(self, window: Window, seq: int | None = None) -> None:
        """Add or update a window from an event (seq) or from the service itself."""
        if seq is not None:
            self._touched[window.id] = seq
            self._closed.pop(window.id, None)
        old = self.windows.get(window.id)
        self.windows[window.id] = window
        self._index(old, window)
        if window.workspace and window.output and not window.in_scratchpad:
            self.workspace_outputs[window.workspace] = window.output
        if old is None:
            for listener in self._listeners:
                listener.window_added(window)
        elif old != window:
            for listener in self._listeners:
                listener.window_changed(old, window)

    def update_window(self, con_id: int, seq: int | None = None, **fields: object) -> None:
        old = self.windows.get(con_id)
        if old is not None:
            self.put_window(replace(old, **fields), seq)  # type: ignore[arg-type]

    def remove_window(self, con_id: int, seq: int | None = None) -> None:
        if seq is not None:
            self._closed[con_id] = seq
            self._touched.pop(con_id, None)
        window = self.windows.pop(con_id, None)
        if window is not None:
            self._index(window, None)
            for listener in self._listeners:
                listener.window_removed(window)

    def _index(self, old: Window | None, new: Window | None) -> None:
        if old is None or new is None or old.marks != new.marks:
            if old is not None:
                for token in _tokens(old):
                    self._tokens[token] -= 1
                    if self._tokens[token] <= 0:
                        del self._tokens[token]
            if new is not None:
                self._tokens.update(_tokens(new))
        if new is not None and new.focused:
            self._focused.add(new.id)
        elif old is not None:
            self._focused.discard(old.id)

    def set_focused(self, con_id: int, seq: int) -> None:
        for other in [i for i in self._focused if i != con_id]:
            self.update_window(other, seq, focused=False)
        self.update_window(con_id, seq, focused=True)

    def apply_snapshot(self, windows: Iterable[Window], since: int) -> None:
        """Merge a full tree read that was requested when the event counter was ``since``.

        Events processed after that point are newer than the snapshot for the fields
        they carry, so for those windows only the placement is taken from the snapshot;
        a window closed meanwhile is not brought back, and one created meanwhile is kept.
        """
        seen: set[int] = set()
        for snap in windows:
            seen.add(snap.id)
            if self._closed.get(snap.id, -1) > since:
                continue
            current = self.windows.get(snap.id)
            if current is not None and self._touched.get(snap.id, -1) > since:
                snap = replace(current, workspace=snap.workspace, output=snap.output)
            self.put_window(snap)
        for con_id in [c for c in self.windows if c not in seen]:
            if self._touched.get(con_id, -1) <= since:
                self.remove_window(con_id)
        self._touched = {c: s for c, s in self._touched.items() if s > since}
        self._closed = {c: s for c, s in self._closed.items() if s > since}

    # -- switching --------------------------------------------------------------

    def plan(self, target: str) -> SwitchPlan:
        if target:
            self.project(target)
        return plan_switch(self.windows.values(), target, self.projects.keys())

    def apply_plan(self, plan: SwitchPlan) -> None:
        """Record the outcome of an executed plan (i3 acknowledged every command)."""
        for h in plan.hide:
            marks = tuple(m for m in h.window.marks if m not in h.stale and m != h.mark)
            self.update_window(
                h.window.id,
                workspace=SCRATCHPAD,
                output=SCRATCHPAD_OUTPUT,
                floating=True,
                focused=False,
                marks=(*marks, h.mark),
                scratchpad_window=True,
            )
        for s in plan.show:
            # Its restore mark stays on it, inert now (marks.py).
            self.update_window(
                s.window.id,
                workspace=s.workspace,
                output=self.workspace_outputs.get(s.workspace, ""),
                floating=s.floating,
                scratchpad_window=False,
                rect=s.rect if s.floating else None,
            )

    # -- views ------------------------------------------------------------------

    def project_names(self) -> list[str]:
        return sorted(self.projects)

    def __iter__(self) -> Iterator[Window]:
        return iter(self.windows.values())

    def summary(self) -> Mapping[str, object]:
        """The whole state as plain data (GetState serialises it as JSON)."""
        return {
            "active_project": self.active,
            "projects": [self.projects[n].to_json() for n in self.project_names()],
            "windows": [self.window_dict(w) for w in sorted(self, key=lambda w: w.id)],
            "config_errors": list(self.config_errors),
        }

    def window_dict(self, w: Window) -> dict[str, object]:
        return {
            "id": w.id,
            "x11_id": w.x11_id,
            "class": w.wm_class,
            "instance": w.instance,
            "title": w.title,
            "workspace": w.workspace,
            "output": w.output,
            "project": self.project_of(w),
            "scope": self.scope_of(w).value,
            "hidden": w.hidden,
            "focused": w.focused,
            "floating": w.shown_floating,
            "urgent": w.urgent,
            "marks": list(w.marks),
        }


def _tokens(window: Window) -> Iterator[str]:
    """The per-window tokens of the window's assignment and restore marks."""
    for mark in window.marks:
        token = token_of(mark)
        if token is not None:
            yield token
