"""The layout-snapshot capabilities wired together for the manager: save, list and delete
(snapshots.py), restore (restoring.py), crash recovery (recovering.py), and their
automatic uses: autosave on a timer, restore on start. The manager's lock is handed in:
whatever here changes windows takes it, as every other operation does."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping

from .background import Background
from .journal import Journal, Listeners
from .launch import Launcher
from .layoutfiles import LayoutStore
from .model.errors import I3ProjectError
from .model.restore_plan import Outcome, check_restore_options
from .model.restore_settings import LayoutSettings
from .model.snapshot import DEFAULT_SNAPSHOT, validate_snapshot_name
from .model.state import State
from .persistence import Persistence
from .recovering import Recovering
from .restoring import Restorer
from .snapshots import Snapshots
from .switching import Switcher
from .tracking import Tracker

log = logging.getLogger(__name__)

# How long a stop waits for the autosave of the active project.
STOP_SAVE_TIMEOUT = 3.0


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
        launcher: Launcher,
    ) -> None:
        store = LayoutStore(persistence.store.state_dir)
        window_pid = launcher.window_pid
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
        # Switches (the autosave of the project a switch leaves comes with them).
        self._switcher = switcher
        # The manager's switch lock.
        self._lock = lock
        # Where the autosave timer, the writes after switches and the restore on start run.
        self._background = background
        # Whether i3 was attached before (restore on start is for the first time only).
        self._attached_before = False

    def load(self) -> None:
        """Read the snapshots' names and the crash record (before the bus name), and
        start the autosave timer."""
        self.snapshots.load()
        self.recovering.load()
        self._background.spawn(self.autosave_timer(), "the autosave timer")

    def names(self, project: str) -> list[str]:
        return self.snapshots.names(project)

    # -- the bus's calls ----------------------------------------------------------------

    async def save(self, project: str, name: str) -> None:
        self.state.project(project)
        validate_snapshot_name(name)
        await self._tracker.reattached()
        self._tracker.require()
        async with self._lock:
            await self.snapshots.save(project, name, "dbus")

    async def restore(
        self, project: str, name: str, options: Mapping[str, object]
    ) -> list[Outcome]:
        """Options and file first (InvalidArgument, NoSuchLayout, ConfigError), then i3."""
        checked = check_restore_options(options)
        snapshot = await self.snapshots.load_snapshot(project, name)
        await self._tracker.reattached()
        self._tracker.require()
        async with self._lock:
            return await self.restorer.restore(project, snapshot, checked)

    async def delete(self, project: str, name: str) -> None:
        await self.snapshots.delete(project, name)

    # -- the manager's hooks, under its lock ------------------------------------------

    async def switch_saving(self, target: str, origin: str) -> None:
        """A switch, with the autosave of the project it leaves: the tree is read before
        the switch, the rest is done after it in the background (so that the switch's
        own write, the active project, goes first). The caller announces the switch
        (the manager, around the focus the outputs bring back)."""
        leaving = self.state.active if target != self.state.active else ""
        pending = await self.snapshots.capture_for_autosave(leaving)
        await self._switcher.switch(target, origin, announced=True)
        if pending is not None:
            self._background.spawn(self.snapshots.finish_autosave(pending, "switch"), "autosave")

    async def on_attach(self) -> None:
        """Recover a new i3's windows, then keep the record again; the first time, and
        if there was nothing to recover, restore the active project (restore on start).
        First, what an i3 restart kept on the staging workspace (a restore or a switch
        it cut short) comes back to be seen, and hidden again by the switch after this."""
        if self.restorer.stranded_in_model():  # the tree read at attach: no read more
            await self.restorer.rescue("attach", {})
        recovered = await self.recovering.recover()
        self.recovering.resume()
        if not (self._attached_before or recovered):
            self._background.spawn(self.restore_on_start(), "restore on start")
        self._attached_before = True

    # -- without the lock -------------------------------------------------------------

    async def on_stop(self, timeout: float = STOP_SAVE_TIMEOUT) -> None:
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
            await self.restore(active, DEFAULT_SNAPSHOT, {})
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
