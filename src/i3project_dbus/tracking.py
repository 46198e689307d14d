"""Window tracking: the model kept in step with i3 from typed events and tree reads.

Events carry no workspace, so a new window, or a window the user moved, makes the model
dirty, and a tree read follows (coalesced over REFRESH_DELAY). That read takes no lock,
so an assignment never queues behind it; a generation counter, bumped by every command
of ours that moves windows, drops a snapshot such a command overtook. Events processed
while a read is in flight are merged by sequence number (State.apply_snapshot).

After a command that moves windows, a tick barrier (``port.sync()``) follows it: i3
delivers events in order, so once the barrier is back every event our command caused
has been processed, and the next plan is made from an exact model without another read.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import replace

from .background import Background
from .i3 import commands
from .model.errors import I3CommandFailed, NotConnected
from .model.events import DetailValue
from .model.marks import Rect
from .model.port import I3Port
from .model.state import State
from .model.window import Window
from .model.wmevents import OutputEvent, WindowEvent, WorkspaceEvent

log = logging.getLogger(__name__)

# How long a call waits for i3 restarting in place.
RECONNECT_GRACE = 1.5
# How long a plan waits for the barrier of the command before it; past it, the tree is read.
BARRIER_TIMEOUT = 1.0
# The coalescing delay of a background tree read: a burst of events costs one read.
REFRESH_DELAY = 0.02
# Workspace changes after which windows may sit on another workspace or output.
PLACEMENT_WORKSPACE_CHANGES = frozenset({"rename", "move", "restored", "reload"})
# Window changes whose event shows the window's new fields (but never its workspace).
CONTAINER_CHANGES = frozenset({"title", "mark", "urgent", "floating", "fullscreen_mode", "move"})


def merged(known: Window, event: WindowEvent, shown: Window) -> Window:
    """The window an event shows, with what only the model knows: its workspace, output,
    scratchpad state and floating geometry (unless the event sent the floating wrapper)."""
    scratchpad = known.scratchpad_window or shown.scratchpad_window
    rect: Rect | None
    if event.floating_rect is not None:
        floating, rect = True, event.floating_rect
    else:
        floating = shown.floating
        rect = (known.rect or shown.rect) if floating else None
    return replace(
        shown,
        workspace=known.workspace,
        output=known.output,
        floating=floating,
        scratchpad_window=scratchpad,
        rect=rect,
    )


class Tracker:
    """Owns the live i3 port and keeps State's windows exact."""

    def __init__(self, state: State, background: Background) -> None:
        # The model this tracker writes windows into.
        self.state = state
        # Where the coalesced tree reads and the barriers run.
        self._background = background
        # The attached i3 (None while detached).
        self.port: I3Port | None = None
        # True when the model may be out of date with i3 and a tree read is due.
        self._dirty = True
        # Container ids our own last command moves: their move events are ours, not news.
        self._own: frozenset[int] = frozenset()
        # Windows whose restore marks someone else set or took off since (a switch the
        # old way, from a script): a move of theirs keeps them (see _drop_inert).
        self._relabelled: set[int] = set()
        # Resolves when every event of our last command is in (or was given up on).
        self._barrier: asyncio.Future[None] | None = None
        # The pending coalesced background read, if one is scheduled or running.
        self._refresh_task: asyncio.Task[None] | None = None
        # Resolves when the tree read in flight is merged (a plan waits for it).
        self._inflight: asyncio.Future[None] | None = None
        # Bumped by every command that moves windows: a read it overtook is dropped.
        self._generation = 0
        # Set once an attach is complete (the manager's start-up steps done), cleared on
        # detach: a call during an in-place restart waits for it.
        self._attached = asyncio.Event()
        # Whether i3 was ever attached (before that, nothing is restarting).
        self.was_attached = False

    # -- the port -------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self.port is not None and self.port.connected

    def require(self) -> I3Port:
        """The live port, or NotConnected."""
        if self.port is None or not self.port.connected:
            raise NotConnected("not connected to i3; is it running? (see the service log)")
        return self.port

    def attach(self, port: I3Port) -> None:
        """Take a new connection: nothing the model holds is trusted until a tree read."""
        self.port = port
        self._dirty = True
        self._fail_barrier()

    def detach(self) -> None:
        self.port = None
        self._attached.clear()
        self._fail_barrier()

    def attach_done(self) -> None:
        """The attach is complete: the tree read and the active project enforced."""
        self.was_attached = True
        self._attached.set()

    async def reattached(self) -> None:
        """If i3 is restarting (we were attached and lost it), give it a moment to come
        back, so that a keypress during an in-place restart still switches."""
        if self.connected or not self.was_attached:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._attached.wait(), RECONNECT_GRACE)

    # -- events ---------------------------------------------------------------------

    def on_window(self, event: WindowEvent) -> dict[str, DetailValue]:
        """Apply a window event to the model; return the event log's details."""
        shown = event.window
        if shown is None:
            # A container that is no window moved: only a tree read tells where its windows
            # are, unless they are all ours (a unit a switch moves, recorded by the switch).
            ours = bool(event.inside) and self._own.issuperset(event.inside)
            if event.change == "move" and not ours:
                self._drop_inert(event.inside)
                self.mark_dirty()
            return {"con_id": event.con_id}
        con_id = shown.id
        seq = self.state.next_seq()
        known = self.state.windows.get(con_id)
        if event.change == "close":
            self.state.remove_window(con_id, seq)
            self._relabelled.discard(con_id)
        elif event.change == "new" or known is None:
            self.state.put_window(shown, seq)
            self.mark_dirty()
        elif event.change == "focus":
            self.state.set_focused(con_id, seq)
        elif event.change in CONTAINER_CHANGES:
            users = event.change == "move" and con_id not in self._own
            relabel = set(shown.restore_marks) != set(known.restore_marks)
            if event.change == "mark" and con_id not in self._own and relabel:
                self._relabelled.add(con_id)
            self.state.put_window(merged(known, event, shown), seq)
            if users:
                # Judged by where it was (known): the event may show it in the scratchpad.
                self._drop_inert((con_id,), known)
                self.mark_dirty()
        current = self.state.windows.get(con_id) or known
        details: dict[str, DetailValue] = {"con_id": con_id}
        if current is not None:
            details.update(wm_class=current.wm_class, title=current.title, project=current.project)
        return details

    def _drop_inert(self, ids: Iterable[int], before: Window | None = None) -> None:
        """The user moved these windows: restore marks a switch left on them (inert, see
        model/marks.py) come off now, so that a window the user puts in the scratchpad is
        never taken for one a switch hid. ``before``: the window as it was before the
        event, for a single window (the model holds it as the event left it). A window
        whose restore marks were just set by someone else keeps them: a script hiding
        windows the way the service once did (its marks would then be taken for ours).
        Our own unmark below flags a window so too, until a switch moves it."""
        drops: list[str] = []
        for con_id in ids:
            if con_id in self._relabelled:
                self._relabelled.discard(con_id)
                continue
            was = before if before is not None else self.state.windows.get(con_id)
            current = self.state.windows.get(con_id)
            if was is None or current is None or con_id in self._own or not was.inert_marks:
                continue
            inert = set(was.inert_marks)
            kept = tuple(m for m in current.marks if m not in inert)
            self.state.update_window(con_id, marks=kept)
            drops += [commands.unmark(current, m) for m in sorted(inert)]
        if drops and self.port is not None:
            self._background.spawn(self._unmark(self.port, commands.join(drops)), "inert marks")

    @staticmethod
    async def _unmark(port: I3Port, payload: str) -> None:
        with contextlib.suppress(I3CommandFailed, NotConnected):  # closed meanwhile
            await port.run(payload)

    def on_workspace(self, event: WorkspaceEvent) -> dict[str, DetailValue]:
        if event.change in PLACEMENT_WORKSPACE_CHANGES:
            self.mark_dirty()
        return {"workspace": event.name}

    def on_output(self, _event: OutputEvent) -> dict[str, DetailValue]:
        self.mark_dirty()
        return {}

    # -- tree reads -----------------------------------------------------------------

    def mark_dirty(self) -> None:
        """The model may be stale: schedule one coalesced tree read."""
        self._dirty = True
        if self._refresh_task is None or self._refresh_task.done():
            self._refresh_task = self._background.spawn(
                self._background_refresh(), "background refresh"
            )

    async def _background_refresh(self) -> None:
        try:
            while True:
                await asyncio.sleep(REFRESH_DELAY)
                if not (self._dirty and self.connected):
                    return
                await self.refresh()  # dropped (still dirty) if a command overtook it
        except NotConnected:
            return
        except Exception:
            log.exception("background refresh failed")

    async def refresh(self) -> None:
        """Read the tree and merge it into the model. A read that a command of ours
        overtook (the generation moved on) may predate its moves: it is dropped and the
        model stays dirty."""
        port = self.require()
        generation = self._generation
        self._dirty = False
        since = self.state.seq
        inflight = asyncio.get_running_loop().create_future()
        self._inflight = inflight
        try:
            windows = await port.windows()
        except BaseException:
            self._dirty = True
            raise
        finally:
            if self._inflight is inflight:
                self._inflight = None
            inflight.set_result(None)
        if generation != self._generation:
            self.mark_dirty()
            return
        self.state.apply_snapshot(windows, since)

    async def settle(self) -> bool:
        """Wait until the model is exact: our last command's events are in, the tree read.
        Return whether the tree was read."""
        if self._barrier is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._barrier), BARRIER_TIMEOUT)
            except TimeoutError:
                self._dirty = True
            self._fail_barrier()
        if self._inflight is not None:
            await asyncio.shield(self._inflight)
        # A window whose workspace no tree read has told yet cannot be hidden correctly.
        if self._dirty or any(not w.workspace for w in self.state.windows.values()):
            await self.refresh()
            return True
        return False

    # -- our own moves --------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def moving(self, ids: Iterable[int]) -> AsyncIterator[None]:
        """Around a command that moves the windows ``ids``: their move events are ours,
        and a tree read started before it is dropped. Record in the model inside the
        block; on leaving it, the barrier is sent (or, if the command failed, the model
        is marked for a tree read and the error goes on)."""
        port = self.require()
        # A command right behind another (a focus after a switch) keeps the first one's
        # windows as ours until its own barrier, which comes after the first's, is back.
        pending = self._barrier is not None and not self._barrier.done()
        self._own = (self._own if pending else frozenset()) | frozenset(ids)
        self._relabelled -= self._own  # their restore marks are ours again (_drop_inert)
        self._generation += 1
        try:
            yield
        except BaseException:
            self._dirty = True
            raise
        await self._send_barrier(port)

    def after_barrier(self, callback: Callable[[], None]) -> None:
        """Call back once the barrier of the last command is back (or given up on: i3
        lost, or waited for too long); at once if none is pending."""
        barrier = self._barrier
        if barrier is None or barrier.done():
            callback()
        else:
            barrier.add_done_callback(lambda _barrier: callback())

    async def _send_barrier(self, port: I3Port) -> None:
        """Send the barrier's tick and wait until i3 has taken it (not for its event): a
        caller that replies next cannot have a client's command overtake it, so every
        event after the tick is news."""
        loop = asyncio.get_running_loop()
        barrier, sent = loop.create_future(), loop.create_future()
        self._barrier = barrier
        self._background.spawn(self._await_barrier(port, barrier, sent), "the tick barrier")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(sent), BARRIER_TIMEOUT)

    async def _await_barrier(
        self, port: I3Port, barrier: asyncio.Future[None], sent: asyncio.Future[None]
    ) -> None:
        # i3 has run the command: losing i3 now must not fail it (the switch is done,
        # and on reattach the tree tells the rest).
        def taken() -> None:
            if not sent.done():
                sent.set_result(None)

        try:
            synced = await port.sync(lambda: self._end_own(barrier), taken)
        except NotConnected:
            synced = False
        finally:
            taken()
        if barrier.done():
            return  # given up on meanwhile (detached, or waited for too long)
        if not synced:
            self._dirty = True
        if self._barrier is barrier:
            # From here on a move of one of those windows is the user's: read the tree.
            self._own = frozenset()
        barrier.set_result(None)

    def _end_own(self, barrier: asyncio.Future[None]) -> None:
        """The barrier's tick is being handled: every event after it is news, also those
        handled before _await_barrier runs again (the rest of the same read)."""
        if self._barrier is barrier:
            self._own = frozenset()

    def _fail_barrier(self) -> None:
        if self._barrier is not None and not self._barrier.done():
            self._barrier.set_result(None)
        self._barrier = None
        self._own = frozenset()
