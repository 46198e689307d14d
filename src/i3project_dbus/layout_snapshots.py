"""The layout-snapshot capabilities wired together for the manager: save, list and delete
(snapshots.py), restore (restoring.py), crash recovery (recovering.py), and their
automatic uses: autosave on a timer, restore on start. The manager's lock is handed in:
whatever here changes windows takes it, as every other operation does."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from .background import Background
from .journal import Journal, Listeners
from .launch import Launcher
from .layoutfiles import LayoutStore
from .model.errors import I3ProjectError
from .model.restore_plan import Outcome, RestoreOptions
from .model.restore_settings import LayoutSettings
from .model.snapshot import DEFAULT_SNAPSHOT
from .model.state import State
from .persistence import Persistence
from .recovering import Recovering
from .restoring import Restorer
from .snapshots import Pending, Snapshots
from .switching import Switcher
from .tracking import Tracker

log = logging.getLogger(__name__)


class LayoutSnapshots:
    def __init__(
        self,
        state: State,
        tracker: Tracker,
        switcher: Switcher,
        persistence: Persistence,
        journal: Journal,
        background: Background,
        listeners: Listeners,
        settings: Callable[[], LayoutSettings],
        lock: asyncio.Lock,
        launcher: Launcher | None,
    ) -> None:
        store = LayoutStore(persistence.store.state_dir)
        window_pid = launcher.window_pid if launcher is not None else None
        # Save, list, delete; the autosave's tree read and file.
        self.snapshots = Snapshots(
            state, tracker, persistence, journal, store, settings, window_pid
        )
        # Restores, relaunching what is missing through the launcher.
        self.restorer = Restorer(state, tracker, switcher, journal, settings, launcher)
        # The crash record (windows.json), and recovery from a new i3 from it.
        self.recovering = Recovering(
            state, tracker, persistence, journal, background, store, self.restorer.place
        )
        for follower in (self.snapshots, self.restorer, self.recovering):
            listeners.add(follower)
        # The model: the active project and its windows.
        self.state = state
        # The i3 port (whether it is connected).
        self._tracker = tracker
        # config.json's snapshot settings as they are now.
        self._settings = settings
        # The manager's switch lock.
        self._lock = lock

    def load(self) -> None:
        """Read the snapshots' names and the crash record (before the bus name)."""
        self.snapshots.load()
        self.recovering.load()

    def names(self, project: str) -> list[str]:
        return self.snapshots.names(project)

    # -- under the lock (the manager's methods hold it) -------------------------------

    async def save(self, project: str, name: str) -> None:
        await self.snapshots.save(project, name, "dbus")

    async def restore(self, project: str, name: str, options: RestoreOptions) -> list[Outcome]:
        snapshot = await self.snapshots.load_snapshot(project, name)
        return await self.restorer.restore(project, snapshot, options)

    async def before_switch(self, target: str) -> Pending | None:
        """The tree read of the autosave of the project a switch leaves."""
        leaving = self.state.active if target != self.state.active else ""
        return await self.snapshots.capture_for_autosave(leaving)

    async def on_attach(self) -> bool:
        """Recover a new i3's windows (True if there were any)."""
        return await self.recovering.recover()

    # -- without the lock -------------------------------------------------------------

    async def after_switch(self, pending: Pending) -> None:
        await self.snapshots.finish_autosave(pending, "switch")

    async def delete(self, project: str, name: str) -> None:
        await self.snapshots.delete(project, name)

    async def on_stop(self, timeout: float) -> None:
        """Save the active project's "last" before the service ends, waiting at most
        ``timeout`` seconds (for the lock and the file)."""
        if not self._tracker.connected:
            return
        try:
            async with asyncio.timeout(timeout), self._lock:
                await self.snapshots.autosave(self.state.active, "stop")
        except TimeoutError:
            log.warning("stopping without the autosave: it took over %s s", timeout)

    async def restore_on_start(self) -> None:
        """After login: the persisted active project's "last", when i3 has none of its
        windows (restore_on_start, off by default)."""
        active = self.state.active
        if not (active and self._settings().restore_on_start) or self.state.windows_of(active):
            return
        try:
            async with self._lock:
                await self.restore(active, DEFAULT_SNAPSHOT, RestoreOptions())
        except I3ProjectError as exc:
            log.info("restore on start of %s: %s", active, exc)

    async def autosave_timer(self) -> None:
        """Every autosave_minutes, the active project's "last" (0: never)."""
        while True:
            minutes = self._settings().autosave_minutes
            await asyncio.sleep(60 * (minutes or 1))
            if minutes and self._tracker.connected:
                async with self._lock:
                    await self.snapshots.autosave(self.state.active, "timer")
