"""Restoring a project's snapshot: open windows matched and moved into place, missing ones
relaunched in their saved directory and put aside on the unseen staging workspace as they
map, then every window placed in one command (model/placing.py) and sized in a second.

Its methods run under the switch lock (the manager's) from start to end, waiting for
relaunched windows included: a switch meanwhile would hide windows half placed. A new
window's assignment waits for the lock too; a relaunched one is marked here instead, in
the command that puts it aside.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Mapping, Set

from .i3 import commands, restore_commands
from .journal import Journal
from .launch import Launcher
from .model import events as ev
from .model.errors import I3CommandFailed, I3ProjectError, InvalidArgument, LaunchFailed
from .model.launch import LaunchOptions
from .model.placing import (
    Placing,
    Untag,
    floating_again,
    place_marks,
    plan_placement,
    restored_sizes,
    stranded,
)
from .model.port import Listener
from .model.restore_plan import (
    LAUNCHED,
    MOVED,
    Outcome,
    RestoreOptions,
    RestorePlan,
    placing,
    plan_restore,
)
from .model.restore_settings import LayoutSettings
from .model.snapshot import Snapshot
from .model.state import State
from .model.window import Window
from .switching import Switcher
from .tracking import Tracker

log = logging.getLogger(__name__)

# How long a relaunched window is left alone after it maps before it is placed: a client
# may still change its size then (measured: foot takes server-side decorations 40-80 ms
# after it maps on sway 1.7, and sway takes the size foot had before as it does).
SETTLE = 0.25


class Restorer(Listener):
    """Owns the restores; a Listener to see relaunched windows arrive."""

    def __init__(
        self,
        state: State,
        tracker: Tracker,
        switcher: Switcher,
        journal: Journal,
        settings: Callable[[], LayoutSettings],
        launcher: Launcher,
    ) -> None:
        # The model: projects, windows, the active project.
        self.state = state
        # The i3 port, the barrier, the tree reads.
        self._tracker = tracker
        # Makes the project active before its windows are placed.
        self._switcher = switcher
        # Where layout::restore is recorded.
        self._journal = journal
        # config.json's snapshot settings as they are now.
        self._settings = settings
        # Starts relaunched apps, and tells which launch a new window comes from.
        self._launcher = launcher
        # While relaunched apps map: launched pid -> the snapshot index it restores.
        self._waiting: dict[int, int] = {}
        # The project the apps are relaunched for (their windows get its mark).
        self._project = ""
        # Snapshot index -> container id of the window that arrived for it.
        self._arrived: dict[int, int] = {}
        # Set whenever a relaunched window arrived (the waiter counts them).
        self._arrival = asyncio.Event()
        # When (time.monotonic) the last relaunched window arrived.
        self._last_arrival = 0.0
        # Checks of new windows in flight, awaited before placing.
        self._checks: set[asyncio.Task[None]] = set()

    # -- the restore ----------------------------------------------------------------

    async def restore(
        self, project: str, snapshot: Snapshot, options: RestoreOptions
    ) -> list[Outcome]:
        start = time.perf_counter_ns()
        port = self._tracker.require()
        if not options.dry_run and self.state.active != project:
            await self._switcher.switch(project, origin="restore")
        await self._tracker.settle()
        plan = plan_restore(snapshot, list(self.state.windows.values()), self._settings(), options)
        if options.dry_run:
            outcomes = plan.outcomes({}, {})
        else:
            outcomes = await self._apply(plan, project, options.timeout_ms, port.is_sway)
        self._journal.record(
            ev.LAYOUT_RESTORE,
            {
                "project": project,
                "snapshot": snapshot.name,
                "moved": sum(o.action == MOVED for o in outcomes),
                "launched": sum(o.action == LAUNCHED for o in outcomes),
                "skipped": sum(o.action not in (MOVED, LAUNCHED) for o in outcomes),
                "dry_run": options.dry_run,
            },
            (time.perf_counter_ns() - start) // 1000,
        )
        return outcomes

    async def _apply(
        self, plan: RestorePlan, project: str, timeout_ms: int, sway: bool
    ) -> list[Outcome]:
        """Relaunch, then place. Whatever stops it half way (i3 gone, an error), nothing
        is left on the staging workspace: the windows set aside go to their workspaces."""
        snapshot = plan.snapshot
        placed = False
        self._arrived = {}  # not the windows of an earlier restore
        try:
            launched, failed = await self._relaunch(plan, project, timeout_ms)
            await self._tracker.settle()
            live = {i: w for i, w in plan.matched.items() if w.id in self.state.windows}
            await self.place(snapshot, {**live, **launched}, sway)
            placed = True
        finally:
            if not placed:
                found: dict[int, Window | int] = {**plan.matched, **self._arrived}
                await self.rescue(f"restore of {project}", _planned(snapshot, found))
        return plan.outcomes(launched, failed)

    async def place(self, snapshot: Snapshot, found: dict[int, Window], sway: bool) -> None:
        """Put the windows (snapshot index -> window) in place: one command for the
        places, a tree read, one command for the sizes."""
        port = self._tracker.require()
        windows = {i: self.state.windows.get(w.id, w) for i, w in found.items()}
        if not windows:
            return
        where = placing(snapshot, windows, await port.capture())
        steps = plan_placement(where)
        payload = restore_commands.placement(steps, sway)
        log.debug("restore of %s: %s", snapshot.project, payload)
        try:
            async with self._tracker.moving(w.id for w in windows.values()):
                await port.run(payload)
        except I3CommandFailed as exc:
            # A window closed meanwhile, or a command refused: i3 goes on with the next
            # command (or, on a parse error, stops there), so windows staged to follow
            # one that is gone may still be on the staging workspace.
            log.info("restore of %s: %s", snapshot.project, exc)
            marks = {m.mark for m in steps if isinstance(m, Untag)}
            await self.rescue(f"restore of {snapshot.project}", _planned(snapshot, windows), marks)
        await self._tracker.settle()
        resizes = restored_sizes(where.trees, windows, await port.layout())
        if resizes:
            log.debug("restore of %s, sizes: %s", snapshot.project, restore_commands.sizes(resizes))
            try:
                await port.run(restore_commands.sizes(resizes))
            except I3CommandFailed as exc:
                log.info("restore of %s, sizes: %s", snapshot.project, exc)
        if sway:
            await self._floating_again(snapshot.project, where)
        self._tracker.mark_dirty()

    async def _floating_again(self, project: str, where: Placing) -> None:
        """On sway, a floating window drawn late at an earlier size takes that size over
        the one set (model.placing.floating_again): read once more, set those again."""
        port = self._tracker.require()
        again = floating_again(where, await port.capture())
        if not again:
            return
        log.info("restore of %s: %d floating sizes set again", project, len(again))
        try:
            await port.run(restore_commands.floating_again(again))
        except I3CommandFailed as exc:
            log.info("restore of %s, floating sizes: %s", project, exc)

    def stranded_in_model(self) -> bool:
        """Whether the model, just read from a new i3, shows a window on the staging
        workspace or a placement's mark: only then does an attach need rescue()."""
        windows = self.state.windows.values()
        staging = commands.STAGING_WORKSPACE
        return any(w.workspace == staging for w in windows) or bool(place_marks(windows))

    async def rescue(
        self, why: str, planned: Mapping[int, str], marks: Set[str] = frozenset()
    ) -> None:
        """Read the tree; move every window still on the staging workspace to its planned
        workspace (container id -> workspace), else the focused one, and drop the
        placement's temporary marks. Never raises: it runs on the way out of a failure
        (``why`` says which, for the log)."""
        try:
            await self._tracker.settle()
            port = self._tracker.require()
            capture = await port.capture()
            seen = [c.window for c in capture.windows] + list(self.state.windows.values())
            marks = set(marks) | place_marks(seen)
            staging = commands.STAGING_WORKSPACE
            stuck = stranded(capture, staging, planned, "")
            if any(not workspace for _w, workspace in stuck):
                focused = await port.focused_workspace()
                # i3 always has a focused workspace; "1" is where it starts, in case.
                fallback = focused if focused not in ("", staging) else "1"
                stuck = stranded(capture, staging, planned, fallback)
            if not (stuck or marks):
                return
            # Windows on staging are a restore cut short; marks alone, a window that closed.
            log.log(
                logging.WARNING if stuck else logging.INFO,
                "%s: %d windows back from the staging workspace, %d temporary marks dropped",
                why,
                len(stuck),
                len(marks),
            )
            async with self._tracker.moving(w.id for w, _workspace in stuck):
                await port.run(restore_commands.rescue(stuck, marks))
        except I3ProjectError as exc:
            log.warning("%s: cannot bring windows back from staging: %s", why, exc)
        self._tracker.mark_dirty()

    # -- relaunching ------------------------------------------------------------------

    async def _relaunch(
        self, plan: RestorePlan, project: str, timeout_ms: int
    ) -> tuple[dict[int, Window], dict[int, str]]:
        """Start each app, wait for their windows; return them and why others failed."""
        failed: dict[int, str] = {}
        if not plan.relaunch:
            return {}, failed
        self._project, self._waiting, self._arrived = project, {}, {}
        try:
            for r in plan.relaunch:
                try:
                    pid = await self._start(r.argv, project, r.cwd)
                except (LaunchFailed, InvalidArgument) as exc:
                    failed[r.window] = str(exc)
                    continue
                self._waiting[pid] = r.window
            await self._wait(timeout_ms / 1000)
        finally:
            self._waiting = {}
            if self._checks:
                await asyncio.gather(*self._checks, return_exceptions=True)
        await asyncio.sleep(max(0.0, self._last_arrival + SETTLE - time.monotonic()))
        launched = {}
        for index in self._waiting_indexes(plan, failed):
            con_id = self._arrived.get(index)
            window = self.state.windows.get(con_id) if con_id is not None else None
            if window is None:
                failed[index] = f"no window within {timeout_ms} ms (the app is left running)"
            else:
                launched[index] = window
        return launched, failed

    @staticmethod
    def _waiting_indexes(plan: RestorePlan, failed: dict[int, str]) -> list[int]:
        return [r.window for r in plan.relaunch if r.window not in failed]

    async def _start(self, argv: tuple[str, ...], project: str, cwd: str) -> int:
        # A saved directory that is gone: the project's own, as for any launch.
        exists = bool(cwd) and await asyncio.to_thread(os.path.isdir, cwd)
        directory = cwd if exists else ""
        # No workspace for the launch's own placement (launch/follow.py): this restore
        # puts the window aside itself, and places it, before that would run.
        started = await self._launcher.launch(
            argv, self.state.project(project), LaunchOptions(), directory=directory
        )
        return started.record.pid

    async def _wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while len(self._arrived) < len(self._waiting):
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._arrival.clear()
            try:
                await asyncio.wait_for(self._arrival.wait(), left)
            except TimeoutError:
                return

    def window_added(self, window: Window) -> None:
        if self._waiting:
            task = asyncio.ensure_future(self._check(window))
            self._checks.add(task)
            task.add_done_callback(self._checks.discard)

    async def _check(self, window: Window) -> None:
        """A new window: if a relaunched app made it, mark it and put it aside."""
        try:
            record = await self._launcher.launch_of(window)
            index = self._waiting.get(record.pid) if record is not None else None
            if index is None or index in self._arrived:
                return
            self._arrived[index] = window.id
            self._last_arrival = time.monotonic()
            await self._set_aside(window)
        except Exception:
            log.exception("checking a new window during a restore")
        finally:
            self._arrival.set()

    async def _set_aside(self, window: Window) -> None:
        port = self._tracker.require()
        current = self.state.windows.get(window.id, window)
        mark = None
        if current.project != self._project:
            mark = self.state.new_assignment_mark(current, self._project)
        parts = [f"mark --add {commands.quote(mark)}"] if mark else []
        parts.append(f"move container to workspace {commands.quote(commands.STAGING_WORKSPACE)}")
        try:
            await port.run(commands.for_window(current, commands.identity_mark(current), *parts))
        except I3CommandFailed as exc:
            log.debug("relaunched window %s: %s", window.id, exc)
            return
        now = self.state.windows.get(window.id)
        if now is not None and mark is not None:
            keep = tuple(m for m in now.marks if m not in now.assignment_marks)
            self.state.update_window(window.id, marks=(*keep, mark))
        self._tracker.mark_dirty()


def _planned(snapshot: Snapshot, found: Mapping[int, Window | int]) -> dict[int, str]:
    """Container id -> the saved workspace of the window that goes there (``found``:
    snapshot index -> the window, or its container id)."""
    out: dict[int, str] = {}
    for index, window in found.items():
        if 0 <= index < len(snapshot.windows):
            con_id = window if isinstance(window, int) else window.id
            out[con_id] = snapshot.windows[index].workspace
    return out
