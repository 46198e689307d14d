"""Switching: plan from the model, execute as one i3 command, retry once from a fresh tree,
then record the switch; and the restore of the active project when i3 is attached."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from . import layouts
from .i3 import restore_commands
from .i3.commands import STAGING_WORKSPACE
from .journal import Journal
from .model import events as ev
from .model.errors import I3CommandFailed, NoSuchProject
from .model.events import DetailValue
from .model.marks import parse_restore
from .model.port import I3Port, Listener
from .model.state import State
from .model.switch import SwitchPlan
from .persistence import Persistence
from .tracking import Tracker

log = logging.getLogger(__name__)

# How many times a switch is planned and sent before i3's refusal reaches the caller.
# Windows that close between the tree read and the command make i3 refuse part of it;
# with xterms opened and killed at 50 a second (the churn test), a second attempt failed
# the same way about once in 40 runs of 30 switches, and with bundles (two commands and
# two tree reads an attempt) a third did in one full CI run.
ATTEMPTS = 5


class Switcher:
    """Makes the windows agree with a target project. Its methods run under the switch
    lock (the manager's), so plans never interleave."""

    def __init__(
        self,
        state: State,
        tracker: Tracker,
        persistence: Persistence,
        journal: Journal,
        listeners: Listener,
        restore_focus: Callable[[], bool] = lambda: True,
    ) -> None:
        # Whether a returning project's focused window gets the focus back (a setting).
        self._restore_focus = restore_focus
        # The model: projects, windows, the active project.
        self.state = state
        # The i3 port, the barrier and the tree reads.
        self._tracker = tracker
        # Where the active project and last_active are written.
        self._persistence = persistence
        # Where project::switch and project::clear are recorded.
        self._journal = journal
        # Who is told of a switch that changed the active project.
        self._listeners = listeners
        # The window the last switch's own command focused, if any (the outputs need not
        # focus it again).
        self.focused: int | None = None

    async def restore(self) -> None:
        """Enforce the active project on a freshly attached i3, so that nothing is left
        hidden or shown from before a crash (a project gone from the files means none)."""
        await self.switch(self.state.active, origin="start")

    async def switch(self, target: str, origin: str, announced: bool = False) -> None:
        """Switch to ``target`` ("" shows every project's windows).

        The listeners hear switch_started now and switch_ended once every event i3 sent
        for its commands is in (the barrier is back), so the publisher can announce the
        switch as one step: each window once, with its final place. ``announced``: the
        caller tells them itself, around more than the switch (the focus it restores)."""
        if announced:
            await self._switch(target, origin)
            return
        self._listeners.switch_started()
        try:
            await self._switch(target, origin)
        finally:
            self._tracker.after_barrier(self._listeners.switch_ended)

    async def _switch(self, target: str, origin: str) -> None:
        start = time.perf_counter_ns()
        self.focused = None
        port = self._tracker.require()
        target = self._existing(target, origin)
        # The active project is written (and synced to disk) while i3 runs the switch:
        # both are done before the reply. A switch that fails writes back the one still
        # active; one cut short by a crash is done on the next start.
        writing = asyncio.ensure_future(self._persistence.persist_active(target))
        try:
            plan, moved = await self._plan_and_execute(port, target)
        except BaseException:
            with contextlib.suppress(Exception):
                await writing
            await self._persistence.persist_active(self.state.active)
            raise
        previous = self.state.set_active(target)
        if target:
            self._persistence.touch(target)
        await writing
        if previous == target and not moved:
            return  # nothing changed: a switch to the active project, a clear of none
        duration = (time.perf_counter_ns() - start) // 1000
        self._journal.record(
            ev.PROJECT_SWITCH if target else ev.PROJECT_CLEAR,
            {
                "previous": previous,
                "current": target,
                "origin": origin,
                "hidden": len(plan.hide),
                "shown": len(plan.show),
            },
            duration,
        )
        if previous != target:
            self._listeners.switched(previous, target)

    def _existing(self, target: str, origin: str) -> str:
        if target and target not in self.state.projects:
            if origin != "start":
                # Deleted while this call waited for the lock: nothing changes.
                raise NoSuchProject(f"no project named {target!r}")
            return ""
        return target

    async def plan(self, target: str) -> SwitchPlan:
        """A plan made from an exact model."""
        fresh = await self._tracker.settle()
        plan = self.state.plan(target)
        if not fresh and any(h.window.floating for h in plan.hide):
            # No event tells where a floating window was dragged to: read its geometry.
            await self._tracker.refresh()
            plan = self.state.plan(target)
        return plan

    async def _plan_and_execute(self, port: I3Port, target: str) -> tuple[SwitchPlan, bool]:
        """Execute a plan, and again from a fresh tree if i3 refused part of it (or a unit
        came back holding windows that must stay hidden), up to ATTEMPTS in all. Return
        the plan executed last and whether any command was sent."""
        plan = await self.plan(target)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                if not await self.execute(port, plan):
                    return plan, attempt > 1 or not plan.empty
            except I3CommandFailed as exc:
                # A window closed or moved under us: read the tree and plan again.
                await self._tracker.settle()
                await self._tracker.refresh()
                await self._off_staging(port, target)
                fresh = self.state.plan(target)
                if attempt == ATTEMPTS:
                    if fresh.empty:  # what i3 refused was for windows that closed since
                        return plan, True
                    raise
                log.info("switch to %r: %s; retrying from a fresh tree", target, exc)
                plan = fresh
                continue
            if attempt == ATTEMPTS:
                break
            await self._tracker.settle()
            await self._tracker.refresh()
            plan = self.state.plan(target)
        return plan, True

    async def _off_staging(self, port: I3Port, target: str) -> None:
        """After a payload i3 refused in part: windows it left on the staging workspace
        (a unit whose neighbour closed under it, say) go to the workspace their restore
        mark names, else the focused one. To the model they are shown: nothing else would
        move them."""
        stuck = [w for w in self.state.windows.values() if w.workspace == STAGING_WORKSPACE]
        if not stuck:
            return
        focused = await port.focused_workspace()
        fallback = focused if focused not in ("", STAGING_WORKSPACE) else "1"
        pairs = []
        for w in stuck:
            found = (parse_restore(m) for m in w.restore_marks)
            pairs.append((w, next((r.workspace for r in found if r is not None), fallback)))
        log.warning("switch to %r: %d windows back from staging", target, len(pairs))
        try:
            async with self._tracker.moving(w.id for w in stuck):
                await port.run(restore_commands.rescue(pairs, ()))
        except I3CommandFailed as exc:  # one closed meanwhile: the others are moved
            log.info("switch to %r, back from staging: %s", target, exc)
        await self._tracker.refresh()

    async def execute(self, port: I3Port, plan: SwitchPlan) -> bool:
        """Run a plan, tiled windows moving by whole subtrees (layouts.py), and record its
        outcome in the model. Return whether it should be planned again."""
        if plan.empty:
            return False
        ids = [h.window.id for h in plan.hide] + [s.window.id for s in plan.show]
        async with self._tracker.moving(ids):
            outcome = await layouts.run(port, self.state, plan, self._restore_focus())
        self.focused = outcome.focused if outcome.focused is not None else self.focused
        for r in outcome.gone:
            details: dict[str, DetailValue] = {"workspace": r.workspace, "windows": len(r.marks)}
            self._journal.record(ev.LAYOUT_PARENT_GONE, details)
        shown = (self.state.windows.get(s.window.id) for s in plan.show)
        if any(w is not None and not w.output for w in shown):
            # Shown on a workspace the model has seen no window on: read where it is.
            self._tracker.mark_dirty()
        return outcome.again
