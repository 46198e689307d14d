"""The manager: decides with the model, acts through the i3 adapter, keeps files in step.

Start order with i3 (see attach): the adapter subscribes to events first and only then
is the tree read, so no window created in between is missed; events processed while a
tree read is in flight are merged by sequence number (State.apply_snapshot).

Switches, tree refreshes and assignments run under one lock, so they never interleave.
After a switch command a tick is sent as a barrier: i3 delivers events in order, so
when the tick comes back every event our command caused has been processed. The next
plan waits for that barrier, and so is made from a model that is exact, without
reading the whole tree again.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from . import config, layouts
from .i3 import commands
from .i3.adapter import I3Adapter
from .i3.tree import Place, find_window_node, window_from_event, window_from_node
from .model import events as ev
from .model.errors import (
    ConfigError,
    I3CommandFailed,
    NoSuchProject,
    NotConnected,
    ProjectExists,
)
from .model.events import DetailValue, Event, EventRing
from .model.project import Project, validate_name, validate_options
from .model.state import State
from .model.switch import SwitchPlan

log = logging.getLogger(__name__)

BARRIER_TIMEOUT = 1.0
# How long a call waits for i3 to come back when it is restarting in place.
RECONNECT_GRACE = 1.5
REFRESH_DELAY = 0.02
SYNC_PREFIX = "i3project-dbus:sync:"
TICK_PREFIX = "project:"
# Workspace changes after which windows may sit on another workspace or output.
PLACEMENT_WORKSPACE_CHANGES = {"rename", "move", "restored", "reload"}
CONTAINER_CHANGES = {"title", "mark", "urgent", "floating", "fullscreen_mode", "move"}


def _now_us() -> int:
    return time.time_ns() // 1000


def _iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Manager:
    def __init__(self, store: config.Store, settings: config.Settings) -> None:
        self.store = store
        self.settings = settings
        self.state = State(settings.classification)
        self.events = EventRing(settings.event_capacity)
        self.adapter: I3Adapter | None = None
        self.event_listeners: list[Callable[[Event], None]] = []
        self.connection_listeners: list[Callable[[bool], None]] = []
        self.switch_hooks: list[Callable[[str, str], None]] = []
        self.config_listeners: list[Callable[[], None]] = []
        self._lock = asyncio.Lock()
        self._dirty = True
        self._own: frozenset[int] = frozenset()
        self._barrier: asyncio.Future[None] | None = None
        self._barrier_payload = ""
        self._tick_counter = 0
        self._refresh_task: asyncio.Task[None] | None = None
        self._inflight: asyncio.Future[None] | None = None
        # Bumped by every command that moves windows; see _refresh.
        self._generation = 0
        self._attached = asyncio.Event()
        self._was_attached = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._persisted_active: str | None = None
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="i3project-writer")

    # -- lifecycle --------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self.adapter is not None and not self.adapter.lost.is_set()

    @property
    def window_manager(self) -> str:
        return self.adapter.description if self.adapter else ""

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
        self._persisted_active = active

    async def attach(self, adapter: I3Adapter) -> None:
        """Take a connected, subscribed adapter: rebuild from the tree, then enforce the
        active project, so that nothing is left hidden or shown from before a crash."""
        async with self._lock:
            self.adapter = adapter
            self._dirty = True
            self._fail_barrier()
            await self._refresh()
            self._record(
                ev.SERVICE_CONNECT,
                {"socket": adapter.socket_path, "window_manager": adapter.description},
            )
            for listener in self.connection_listeners:
                listener(True)
            await self._switch_locked(self.state.active, origin="start")
            self._was_attached = True
            self._attached.set()

    def detach(self) -> None:
        if self.adapter is None:
            return
        self.adapter.close()
        self.adapter = None
        self._attached.clear()
        self._fail_barrier()
        self._record(ev.SERVICE_DISCONNECT, {})
        for listener in self.connection_listeners:
            listener(False)

    async def close(self) -> None:
        self.detach()
        tasks = list(self._tasks)
        if self._refresh_task is not None:
            tasks.append(self._refresh_task)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        # A write already started runs to its end: files are never left half-written anyway.
        self._writer.shutdown(wait=True)

    async def _reattached(self) -> None:
        """If i3 is restarting (we were attached and lost it), give it a moment to come
        back, so that a keypress during an in-place restart still switches."""
        if self.connected or not self._was_attached:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._attached.wait(), RECONNECT_GRACE)

    def _require(self) -> I3Adapter:
        if self.adapter is None or self.adapter.lost.is_set():
            raise NotConnected("not connected to i3; is it running? (see the service log)")
        return self.adapter

    def _spawn(self, coro: Any, what: str) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)

        def done(t: asyncio.Task[Any]) -> None:
            self._tasks.discard(t)
            if not t.cancelled() and t.exception() is not None:
                log.warning("%s failed: %s", what, t.exception())

        task.add_done_callback(done)

    # -- events from i3 ---------------------------------------------------------

    def handle_event(self, kind: str, body: dict[str, Any]) -> None:
        """Called for every i3 event, in order. Never raises: a bad event is logged."""
        start = time.perf_counter_ns()
        try:
            details = self._dispatch(kind, body)
        except Exception:
            log.exception("error handling i3 %s event", kind)
            details = {"error": "handler failed"}
        if details is None:
            return
        change = body.get("change")
        type_ = f"{kind}::{change}" if isinstance(change, str) and change else kind
        self._record(type_, details, (time.perf_counter_ns() - start) // 1000)

    def _dispatch(self, kind: str, body: dict[str, Any]) -> dict[str, DetailValue] | None:
        if kind == "window":
            return self._on_window(body)
        if kind == "tick":
            return self._on_tick(body)
        if kind == "workspace":
            if body.get("change") in PLACEMENT_WORKSPACE_CHANGES:
                self._mark_dirty()
            current = body.get("current") or {}
            return {"workspace": str(current.get("name") or "")}
        if kind == "output":
            self._mark_dirty()
            return {}
        if kind == "binding":
            binding = body.get("binding") or {}
            return {"command": str(binding.get("command") or "")}
        return {}

    def _on_window(self, body: dict[str, Any]) -> dict[str, DetailValue]:
        container = body.get("container") or {}
        change = body.get("change", "")
        node = find_window_node(container)
        if node is None:
            if change == "move":
                self._mark_dirty()
            return {"con_id": int(container.get("id") or 0)}
        con_id = int(node["id"])
        seq = self.state.next_seq()
        known = self.state.windows.get(con_id)
        if change == "close":
            self.state.remove_window(con_id, seq)
        elif change == "new" or known is None:
            window = window_from_node(node)
            self.state.put_window(window, seq)
            self._mark_dirty()
            if change == "new" and self.state.wants_assignment(window):
                arrived = time.perf_counter_ns()
                self._spawn(self._assign_new(con_id, arrived), "assigning a new window")
        elif change == "focus":
            self.state.set_focused(con_id, seq)
        elif change in CONTAINER_CHANGES:
            # Events carry no workspace: keep what the model knows.
            place = Place(
                known.workspace, known.output, scratchpad=known.scratchpad_window, rect=known.rect
            )
            self.state.put_window(window_from_event(container, node, place), seq)
            if change == "move" and con_id not in self._own:
                self._mark_dirty()
        current = self.state.windows.get(con_id) or known
        details: dict[str, DetailValue] = {"con_id": con_id}
        if current is not None:
            details.update(wm_class=current.wm_class, title=current.title, project=current.project)
        return details

    def _on_tick(self, body: dict[str, Any]) -> dict[str, DetailValue] | None:
        payload = str(body.get("payload") or "")
        if body.get("first"):
            return None
        if payload.startswith(SYNC_PREFIX):
            if payload == self._barrier_payload and self._barrier and not self._barrier.done():
                # Every event of our command came before this tick: from here on a move
                # of one of its windows is the user's, and must be read from the tree.
                self._own = frozenset()
                self._barrier.set_result(None)
            return None
        if payload.startswith(TICK_PREFIX):
            # The earlier design's keybindings: i3-msg -t send_tick project:NAME / project:none
            name = payload[len(TICK_PREFIX) :]
            target = "" if name == "none" else name
            self._spawn(self.switch(target, origin="tick"), f"tick {payload!r}")
        return {"payload": payload}

    def _mark_dirty(self) -> None:
        self._dirty = True
        if self._refresh_task is None or self._refresh_task.done():
            self._refresh_task = asyncio.ensure_future(self._background_refresh())

    async def _background_refresh(self) -> None:
        # A short coalescing delay: a burst of events costs one tree read, not one each.
        # It takes no lock, so a new window's assignment never queues behind a tree read.
        try:
            while True:
                await asyncio.sleep(REFRESH_DELAY)
                if not (self._dirty and self.connected):
                    return
                await self._refresh()  # dropped (still dirty) if a switch overtook it
        except NotConnected:
            pass
        except Exception:
            log.exception("background refresh failed")

    async def _refresh(self) -> None:
        """Read the tree and merge it into the model. A read that a command of ours
        overtook (the generation moved on) may predate its moves: it is dropped and the
        model stays dirty."""
        adapter = self._require()
        generation = self._generation
        self._dirty = False
        since = self.state.seq
        inflight = asyncio.get_running_loop().create_future()
        self._inflight = inflight
        try:
            windows = await adapter.windows()
        except BaseException:
            self._dirty = True
            raise
        finally:
            if self._inflight is inflight:
                self._inflight = None
            inflight.set_result(None)
        if generation != self._generation:
            self._mark_dirty()
            return
        self.state.apply_snapshot(windows, since)

    async def _settle(self) -> bool:
        """Wait until the model is exact: our last command's events are in, the tree read.
        Return whether the tree was read."""
        if self._barrier is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._barrier), BARRIER_TIMEOUT)
            except TimeoutError:
                self._dirty = True
            self._barrier = None
            self._own = frozenset()
        if self._inflight is not None:
            await asyncio.shield(self._inflight)
        # A window whose workspace no tree read has told yet cannot be hidden correctly.
        if self._dirty or any(not w.workspace for w in self.state.windows.values()):
            await self._refresh()
            return True
        return False

    def _fail_barrier(self) -> None:
        if self._barrier is not None and not self._barrier.done():
            self._barrier.set_result(None)
        self._barrier = None
        self._own = frozenset()

    async def _send_barrier(self, adapter: I3Adapter) -> None:
        self._tick_counter += 1
        self._barrier_payload = f"{SYNC_PREFIX}{self._tick_counter}"
        self._barrier = asyncio.get_running_loop().create_future()
        await adapter.tick(self._barrier_payload)

    # -- switching --------------------------------------------------------------

    async def switch(self, target: str, origin: str = "dbus") -> None:
        if target:
            self.state.project(target)
        for attempt in (1, 2):
            await self._reattached()
            self._require()
            try:
                async with self._lock:
                    await self._switch_locked(target, origin)
                return
            except NotConnected:
                # i3 went away while this call waited for the lock (an in-place restart):
                # once it is back, try once more.
                if attempt == 2 or not self._was_attached:
                    raise

    async def _switch_locked(self, target: str, origin: str) -> None:
        start = time.perf_counter_ns()
        adapter = self._require()
        if target and target not in self.state.projects:
            if origin != "start":
                # Deleted while this call waited for the lock: nothing changes.
                raise NoSuchProject(f"no project named {target!r}")
            target = ""
        fresh = await self._settle()
        plan = self.state.plan(target)
        if not fresh and any(h.window.floating for h in plan.hide):
            # No event tells where a floating window was dragged to: read its geometry.
            await self._refresh()
            plan = self.state.plan(target)
        try:
            again = await self._execute(adapter, plan)
        except I3CommandFailed as exc:
            # A window closed or moved under us: read the tree and plan again, once.
            log.info("switch to %r: %s; retrying from a fresh tree", target, exc)
            again = True
        if again:
            # Also when a unit came back holding windows that must stay hidden.
            await self._settle()
            await self._refresh()
            plan = self.state.plan(target)
            await self._execute(adapter, plan)
        previous = self.state.set_active(target)
        if target:
            self._touch_project(target)
        await self._persist_active(target)
        duration = (time.perf_counter_ns() - start) // 1000
        self._record(
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
            for hook in self.switch_hooks:
                hook(previous, target)

    async def _execute(self, adapter: I3Adapter, plan: SwitchPlan) -> bool:
        """Run the plan, tiled windows moving by whole subtrees (layouts.py); return
        whether it should be planned again."""
        if plan.empty:
            return False
        self._own = frozenset(h.window.id for h in plan.hide) | {s.window.id for s in plan.show}
        self._generation += 1
        try:
            outcome = await layouts.run(adapter, self.state, plan)
        except I3CommandFailed:
            self._dirty = True
            raise
        self._own |= outcome.moved
        for r in outcome.gone:
            self._record(ev.LAYOUT_PARENT_GONE, {"workspace": r.workspace, "windows": len(r.marks)})
        await self._send_barrier_or_dirty(adapter)
        return outcome.again

    async def _send_barrier_or_dirty(self, adapter: I3Adapter) -> None:
        """i3 has run the command: losing i3 now must not fail the call (the switch is
        done, and on reattach the tree tells the rest)."""
        try:
            await self._send_barrier(adapter)
        except NotConnected:
            self._fail_barrier()
            self._dirty = True

    def _touch_project(self, name: str) -> None:
        project = self.state.projects[name]
        updated = replace(project, last_active=_iso_now())
        self.state.put_project(updated)
        if not self.store.is_managed(name):
            self._spawn(self._write(self._save_quietly, updated), "saving last_active")

    async def _write(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a file operation on the one writer thread: writes happen in the order asked,
        and the event loop never waits on a disk."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writer, functools.partial(fn, *args))

    def _save_quietly(self, project: Project) -> None:
        try:
            self.store.save_project(project)
        except Exception as exc:
            log.warning("could not record last_active of %s: %s", project.name, exc)

    async def _persist_active(self, name: str) -> None:
        """Write the active project before the switch is reported done, so that a client
        that saw the reply finds the same project after a crash."""
        if name == self._persisted_active:
            return
        try:
            await self._write(self.store.save_active, name)
        except ConfigError as exc:
            log.warning("%s", exc)
            self._record(ev.CONFIG_ERROR, {"message": str(exc)})
            return
        self._persisted_active = name

    # -- assignments ------------------------------------------------------------

    async def _assign_new(self, con_id: int, arrived: int) -> None:
        """Mark a new window for the active project. The event records the service's own
        part (window::new read -> mark command sent) apart from i3's answer to it."""
        async with self._lock:
            window = self.state.windows.get(con_id)
            adapter = self.adapter
            if window is None or adapter is None or not self.state.wants_assignment(window):
                return
            project = self.state.active
            mark = self.state.new_assignment_mark(window, project)
            sent = time.perf_counter_ns()
            try:
                await adapter.run(commands.mark(window, mark))
            except I3CommandFailed as exc:
                # Most often the window closed before it could be marked.
                log.debug("could not mark new window %s: %s", con_id, exc)
                return
            acked = time.perf_counter_ns()
            current = self.state.windows.get(con_id)
            if current is not None and mark not in current.marks:
                self.state.update_window(con_id, marks=(*current.marks, mark))
        details: dict[str, DetailValue] = {
            "con_id": con_id,
            "project": project,
            "wm_class": window.wm_class,
            "auto": True,
            "processing_us": (sent - arrived) // 1000,
            "i3_us": (acked - sent) // 1000,
        }
        self._record(ev.WINDOW_ASSIGN, details, (acked - arrived) // 1000)

    async def assign(self, con_id: int, project: str) -> None:
        """Assign a window to a project ("" removes the assignment), then make its
        visibility agree with the active project."""
        if project:
            self.state.project(project)
        await self._reattached()
        adapter = self._require()
        async with self._lock:
            await self._settle()
            window = self.state.window(con_id)
            # The new mark first: the old ones name the window in the commands' criteria.
            parts = []
            marks = tuple(m for m in window.marks if m not in window.assignment_marks)
            if project:
                mark = self.state.new_assignment_mark(window, project)
                parts.append(commands.mark(window, mark))
                marks = (*marks, mark)
            parts += [commands.unmark(window, m) for m in window.assignment_marks]
            await adapter.run(commands.join(parts))
            self.state.update_window(con_id, marks=marks)
            self._record(ev.WINDOW_ASSIGN, {"con_id": con_id, "project": project, "auto": False})
            active = self.state.active
            await self._switch_locked(active, origin="assign")

    async def tree(self) -> dict[str, Any]:
        """i3's own tree, read now: what diagnostics compare the model with."""
        return await self._require().tree()

    async def focus(self, con_id: int) -> None:
        await self._reattached()
        adapter = self._require()
        window = self.state.window(con_id)
        if window.hidden and window.project and window.project != self.state.active:
            await self.switch(window.project, origin="focus")
            window = self.state.window(con_id)
        await adapter.run(commands.focus(window))

    # -- projects ---------------------------------------------------------------

    async def create(self, name: str, options: Mapping[str, object]) -> Project:
        validate_name(name)
        clean = validate_options(options)
        async with self._lock:
            if name in self.state.projects:
                raise ProjectExists(f"project {name!r} exists already")
            if self.store.file_exists(name):
                raise ProjectExists(
                    f"{self.store.project_file(name)} exists but could not be loaded; "
                    "fix or remove it, then Reload"
                )
            now = _iso_now()
            project = Project(name=name, created=now, **clean)
            await self._write(self.store.save_project, project)
            self.state.add_project(project)
        self._record(ev.PROJECT_CREATE, {"project": name})
        return project

    async def update(self, name: str, options: Mapping[str, object]) -> Project:
        async with self._lock:
            project = self.state.project(name).with_options(options)
            await self._write(self.store.save_project, project)
            self.state.put_project(project)
        self._record(ev.PROJECT_UPDATE, {"project": name})
        return project

    async def delete(self, name: str) -> None:
        """Delete a project: its windows come back if hidden and lose their assignment."""
        project = self.state.project(name)
        # Refuse before touching i3: a project whose file is not ours stays whole.
        self.store.check_deletable(name)
        await self._reattached()
        async with self._lock:
            if self.connected:
                adapter = self._require()
                await self._settle()
                await self._release_windows(adapter, name)
                if self.state.active == name:
                    await self._switch_locked("", origin="delete")
            elif self.state.active == name:
                self.state.set_active("")
                await self._persist_active("")
            await self._write(self.store.delete_project, name)
            self.state.remove_project(project.name)
        self._record(ev.PROJECT_DELETE, {"project": name})

    async def _release_windows(self, adapter: I3Adapter, name: str) -> None:
        windows = self.state.windows_of(name)
        if not windows:
            return
        plan = SwitchPlan(
            "", (), tuple(s for s in self.state.plan("").show if s.window.project == name)
        )
        parts = [commands.switch(plan)] if not plan.empty else []
        parts += [commands.unmark(w, m) for w in windows for m in w.assignment_marks]
        self._own = frozenset(w.id for w in windows)
        self._generation += 1
        await adapter.run(commands.join(p for p in parts if p))
        self.state.apply_plan(plan)
        for w in windows:
            current = self.state.windows.get(w.id)
            if current is not None:
                keep = tuple(m for m in current.marks if m not in w.assignment_marks)
                self.state.update_window(w.id, marks=keep)
        await self._send_barrier_or_dirty(adapter)

    async def reload(self) -> None:
        settings = await self._write(self.store.load_settings)
        projects, errors = await self._write(self.store.load_projects)
        async with self._lock:
            self.settings = settings
            self.state.classification = settings.classification
            removed = [n for n in self.state.projects if n not in projects]
            for name in removed:
                self.state.remove_project(name)
            for project in projects.values():
                self.state.put_project(project)
            self._set_config_errors([*settings.errors, *errors])
            if removed:
                # Windows of a removed project come back if hidden (plan_switch treats
                # their marks as no assignment); an active one removed means none is.
                active = self.state.active if self.state.active in projects else ""
                if self.connected:
                    await self._switch_locked(active, origin="reload")
                elif active != self.state.active:
                    self.state.set_active(active)
                    await self._persist_active(active)
        self._record("config::reload", {"projects": len(projects), "errors": len(errors)})

    def _set_config_errors(self, errors: list[str]) -> None:
        self.state.config_errors = tuple(errors)
        for msg in errors:
            self._record(ev.CONFIG_ERROR, {"message": msg})
        for listener in self.config_listeners:
            listener()

    # -- events -----------------------------------------------------------------

    def _record(self, type_: str, details: Mapping[str, DetailValue], duration_us: int = 0) -> None:
        event = self.events.record(type_, details, _now_us(), duration_us)
        for listener in self.event_listeners:
            try:
                listener(event)
            except Exception:
                log.exception("event listener failed")
