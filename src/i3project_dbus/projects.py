"""Projects: load, create, update, delete and reload, with their files kept in step; a
deleted project's windows come back and lose their assignment."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import config
from .i3 import commands
from .journal import Journal
from .model import events as ev
from .model.errors import ProjectExists
from .model.port import I3Port, Listener
from .model.project import Project, validate_name, validate_options
from .model.state import State
from .model.switch import SwitchPlan
from .persistence import Persistence, iso_now
from .switching import Switcher
from .tracking import Tracker

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Loaded:
    """What a Reload read from the files, before it is applied."""

    settings: config.Settings
    projects: dict[str, Project]
    errors: list[str]


class Projects:
    """Owns the project records and the settings. The methods that change them run under
    the switch lock (the manager's), except load, which runs before anything else."""

    def __init__(
        self,
        settings: config.Settings,
        state: State,
        tracker: Tracker,
        switcher: Switcher,
        persistence: Persistence,
        journal: Journal,
        listeners: Listener,
    ) -> None:
        # config.json as last read: class lists, event capacity, notifications.
        self.settings = settings
        # The model: the projects, the windows they own, the active project.
        self.state = state
        # The i3 port and the exact model a release of windows is planned from.
        self._tracker = tracker
        # Makes the windows agree when the active project is deleted or removed.
        self._switcher = switcher
        # The files: project records, the active project.
        self._persistence = persistence
        # Where project::* and config::* events are recorded.
        self._journal = journal
        # Who is told when the settings or the configuration errors change.
        self._listeners = listeners

    @property
    def store(self) -> config.Store:
        return self._persistence.store

    def load(self) -> None:
        """Read projects and the persisted active project (before the bus name is taken)."""
        projects, errors = self.store.load_projects()
        for project in projects.values():
            self.state.put_project(project)
        self._set_config_errors([*self.settings.errors, *errors])
        active = self.store.load_active()
        if active and active not in self.state.projects:
            log.warning("persisted active project %r does not exist any more", active)
            active = ""
        self.state.set_active(active)
        self._persistence.persisted_active = active

    # -- create and update ----------------------------------------------------------

    async def create(self, name: str, options: Mapping[str, Any]) -> Project:
        """Create a project from checked options (validate_options)."""
        if name in self.state.projects:
            raise ProjectExists(f"project {name!r} exists already")
        if self.store.file_exists(name):
            raise ProjectExists(
                f"{self.store.project_file(name)} exists but could not be loaded; "
                "fix or remove it, then Reload"
            )
        project = Project(name=name, created=iso_now(), **options)
        await self._persistence.write(self.store.save_project, project)
        self.state.add_project(project)
        self._journal.record(ev.PROJECT_CREATE, {"project": name})
        return project

    @staticmethod
    def check_new(name: str, options: Mapping[str, object]) -> dict[str, Any]:
        """The options of a new project, checked, or InvalidName/InvalidArgument."""
        validate_name(name)
        return validate_options(options)

    async def update(self, name: str, options: Mapping[str, object]) -> Project:
        project = self.state.project(name).with_options(options)
        await self._persistence.write(self.store.save_project, project)
        self.state.put_project(project)
        self._journal.record(ev.PROJECT_UPDATE, {"project": name})
        return project

    # -- delete ---------------------------------------------------------------------

    def check_deletable(self, name: str) -> None:
        """Refuse before touching i3: a project whose file is not ours stays whole."""
        self.state.project(name)
        self.store.check_deletable(name)

    async def delete(self, name: str) -> None:
        """Delete a project: its windows come back if hidden and lose their assignment."""
        project = self.state.project(name)
        if self._tracker.connected:
            port = self._tracker.require()
            await self._tracker.settle()
            await self._release_windows(port, name)
            if self.state.active == name:
                await self._switcher.switch("", origin="delete")
        elif self.state.active == name:
            self.state.set_active("")
            await self._persistence.persist_active("")
        await self._persistence.write(self.store.delete_project, name)
        self.state.remove_project(project.name)
        self._journal.record(ev.PROJECT_DELETE, {"project": name})

    async def _release_windows(self, port: I3Port, name: str) -> None:
        """Bring back the project's hidden windows as a switch would (a hidden subtree
        into its place, whole), then remove its marks."""
        windows = self.state.windows_of(name)
        if not windows:
            return
        shown = tuple(s for s in self.state.plan("").show if s.window.project == name)
        again = await self._switcher.execute(port, SwitchPlan("", (), shown))
        # Its restore marks too: inert on a window in place, but a window of no project
        # carries no mark of ours.
        ours = {w.id: (*w.restore_marks, *w.assignment_marks) for w in windows}
        parts = [commands.unmark(w, m) for w in windows for m in ours[w.id]]
        async with self._tracker.moving(w.id for w in windows):
            await port.run(commands.join(parts))
            for w in windows:
                current = self.state.windows.get(w.id)
                if current is not None:
                    keep = tuple(m for m in current.marks if m not in ours[w.id])
                    self.state.update_window(w.id, marks=keep)
        if again and self.state.active != name:
            # A subtree hidden whole held another hidden project's windows too: the
            # active project's switch hides those again.
            await self._switcher.switch(self.state.active, origin="delete")

    # -- reload ---------------------------------------------------------------------

    async def read(self) -> Loaded:
        """Read the settings and the project files on the writer thread (no lock needed)."""
        settings = await self._persistence.write(self.store.load_settings)
        projects, errors = await self._persistence.write(self.store.load_projects)
        return Loaded(settings, projects, errors)

    async def apply(self, loaded: Loaded) -> None:
        """Take what Reload read: the settings, added, changed and removed projects."""
        self.settings = loaded.settings
        self.state.classification = loaded.settings.classification
        removed = [n for n in self.state.projects if n not in loaded.projects]
        for name in removed:
            self.state.remove_project(name)
        for project in loaded.projects.values():
            self.state.put_project(project)
        self._set_config_errors([*loaded.settings.errors, *loaded.errors])
        if removed:
            await self._after_removal(loaded.projects)
        counts = {"projects": len(loaded.projects), "errors": len(loaded.errors)}
        self._journal.record("config::reload", counts)

    async def _after_removal(self, projects: Mapping[str, Project]) -> None:
        # Windows of a removed project come back if hidden (plan_switch treats their
        # marks as no assignment); an active one removed means none is.
        active = self.state.active if self.state.active in projects else ""
        if self._tracker.connected:
            await self._switcher.switch(active, origin="reload")
        elif active != self.state.active:
            self.state.set_active(active)
            await self._persistence.persist_active(active)

    def _set_config_errors(self, errors: list[str]) -> None:
        self.state.config_errors = tuple(errors)
        for msg in errors:
            self._journal.record(ev.CONFIG_ERROR, {"message": msg})
        self._listeners.config_changed()
