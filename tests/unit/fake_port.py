"""Typed stand-ins for the unit tests: an i3 port that records commands, serves windows and
answers sync(), a listener that records what it is told, and a manager on temp dirs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from i3project_dbus.config import Store
from i3project_dbus.i3 import commands, outputs
from i3project_dbus.manager import Manager
from i3project_dbus.model.captured import Capture, CapturedWindow, Screen
from i3project_dbus.model.errors import I3CommandFailed, NotConnected
from i3project_dbus.model.events import Event
from i3project_dbus.model.focus import FocusRestore
from i3project_dbus.model.layout import Forest, Hidden, Layout, Node, Workspace
from i3project_dbus.model.layout_switch import LayoutSwitch
from i3project_dbus.model.marks import Rect, assignment_mark
from i3project_dbus.model.outputs import Output, Screens
from i3project_dbus.model.outputs import Workspace as ScreenWorkspace
from i3project_dbus.model.port import I3Port, Listener
from i3project_dbus.model.reassign import Reassignment
from i3project_dbus.model.snapshot import PathStep
from i3project_dbus.model.state import State
from i3project_dbus.model.switch import Hide, Show, SwitchPlan
from i3project_dbus.model.window import Window


class FakeI3(I3Port):
    """i3 as the service sees it through the port: a dict of windows with their places.

    A switch plan is applied to those windows as i3 would run it; other commands are only
    recorded. ``failures`` makes the next commands fail, one message each; ``read_gate``
    holds tree reads until it is set."""

    def __init__(self, windows: Iterable[Window] = (), sway: bool = False) -> None:
        # What i3 holds now, by container id, with workspaces (what a tree read returns).
        self.tree: dict[int, Window] = {w.id: w for w in windows}
        # Every command payload run, in order (a switch plan as its command text).
        self.commands: list[str] = []
        # Every switch plan run, in order.
        self.plans: list[SwitchPlan] = []
        # Error messages for the next commands: each run takes one and fails with it.
        self.failures: list[str] = []
        # While set to an unset Event, tree reads wait for it.
        self.read_gate: asyncio.Event | None = None
        # Called as a sync tick is handled: before it, an event of the command before it
        # (i3 sends those first); after it (and its on_back), an event right behind it.
        self.before_tick: Callable[[], None] | None = None
        self.after_tick: Callable[[], None] | None = None
        # How many tree reads were asked for.
        self.reads = 0
        # How many sync() barriers were asked for, and what they answer.
        self.syncs = 0
        self.sync_answer = True
        # The outputs and workspaces a reading returns; moves and shows change them.
        self.screen_state = Screens(
            (Output("screen", True, rect=(0, 0, 1280, 800), current_workspace="1"),),
            (ScreenWorkspace("1", "screen", 1, visible=True, focused=True),),
        )
        # Every reassignment and focus restore run, in order.
        self.reassignments: list[Reassignment] = []
        self.restores: list[tuple[FocusRestore, Window | None]] = []
        # False once the connection is lost or closed.
        self._connected = True
        self._sway = sway

    @property
    def socket_path(self) -> str:
        return "/run/fake-i3/ipc.sock"

    @property
    def description(self) -> str:
        return "sway 1.7" if self._sway else "i3 4.22"

    @property
    def is_sway(self) -> bool:
        return self._sway

    @property
    def connected(self) -> bool:
        return self._connected

    @property
    def subscriptions(self) -> tuple[str, ...]:
        return ("window", "workspace", "tick")

    def lose(self) -> None:
        """The connection breaks (i3 exits or restarts)."""
        self._connected = False

    def _check(self) -> None:
        if not self._connected:
            raise NotConnected("lost the connection to i3: fake")

    async def windows(self) -> list[Window]:
        self._check()
        self.reads += 1
        snapshot = list(self.tree.values())
        if self.read_gate is not None:
            await self.read_gate.wait()
        self._check()
        return snapshot

    async def capture(self) -> Capture:
        """The windows on workspaces, each workspace's tiled ones side by side."""
        self._check()
        self.reads += 1
        shown = [w for w in self.tree.values() if w.workspace and not w.in_scratchpad]
        out = []
        for w in shown:
            tiled = [t.id for t in shown if t.workspace == w.workspace and not t.floating]
            path = (
                ()
                if w.floating
                else (PathStep("splith", tiled.index(w.id), len(tiled), 1 / len(tiled)),)
            )
            out.append(CapturedWindow(w, path, "", w.pid))
        workspaces = tuple(sorted({(w.workspace, "screen") for w in shown}))
        return Capture(tuple(out), (Screen("screen", (0, 0, 1000, 800)),), workspaces)

    async def capture_later(self) -> Callable[[], Capture]:
        captured = await self.capture()
        return lambda: captured

    async def tree_json(self) -> str:
        self._check()
        return json.dumps({"type": "root", "nodes": sorted(self.tree)})

    async def wm_state_json(self) -> str:
        self._check()
        return json.dumps({"workspaces": [{"name": "1", "output": "screen"}],
                           "outputs": [{"name": "screen", "active": True}],
                           "marks": [m for w in self.tree.values() for m in w.marks],
                           "version": {"human_readable": self.description}})  # fmt: skip

    async def run(self, command: str) -> None:
        self._check()
        self.commands.append(command)
        await asyncio.sleep(0)  # a round trip: other tasks run meanwhile
        if self.failures:
            raise I3CommandFailed(self.failures.pop(0))

    async def run_switch(self, plan: SwitchPlan) -> None:
        self.plans.append(plan)
        await self.run(commands.switch(plan, sway=self._sway))
        outcome = State()
        outcome.windows.update(self.tree)
        outcome.apply_plan(plan)
        self.tree = outcome.windows
        self._make_workspaces(plan)

    def _make_workspaces(self, plan: SwitchPlan) -> None:
        """As i3 does, a workspace a window comes back to is made on the focused output."""
        known = {w.name for w in self.screen_state.workspaces}
        focused = self.screen_state.focused
        here = focused.output if focused else ""
        new = dict.fromkeys(s.workspace for s in plan.show if s.workspace not in known)
        made = tuple(ScreenWorkspace(name, here) for name in new)
        self.screen_state = replace(
            self.screen_state, workspaces=self.screen_state.workspaces + made
        )

    async def layout(self) -> Forest:
        """Every tiled window alone on its workspace's top level, in id order; every
        scratchpad window its own entry (enough for the units of one window each)."""
        self._check()
        self.reads += 1
        spaces: dict[str, list[Node]] = {}
        hidden = []
        for w in sorted(self.tree.values(), key=lambda w: w.id):
            node = Node(w.id, Layout.SPLITH, window=True, marks=w.marks, x11=w.x11_id)
            if w.in_scratchpad:
                hidden.append(Hidden(node))
            elif not w.floating:
                spaces.setdefault(w.workspace, []).append(node)
        workspaces = tuple(
            Workspace(name, -n, Layout.SPLITH, tuple(kids), size=(1280, 800))
            for n, (name, kids) in enumerate(sorted(spaces.items()), start=1)
        )
        return Forest(workspaces, tuple(hidden))

    async def prepare(self, switch: LayoutSwitch) -> None:
        """Sent, but the fake's tree stays as it is: the bundles are not found gathered
        and their units leave as they are."""
        wraps = [f"[con_id={ws.con_id}] split h" for ws in switch.wrap]
        await self.run("; ".join([*wraps, f"gather {len(switch.bundles)}"]))

    async def run_layout(self, switch: LayoutSwitch, forest: Forest) -> None:
        """Applied as i3 would: units leave with their marks, come back without them;
        recorded as the window-by-window plan it amounts to."""
        hide = [Hide(m.window, m.mark, m.stale) for lv in switch.leaving for m in lv.marked]
        show = [
            Show(self.tree[node.con_id], r.workspace, False, mark)
            for r in switch.returning
            for node, mark in r.marks
            if node.con_id in self.tree
        ]
        plan = SwitchPlan(switch.target, (*hide, *switch.rest.hide), (*show, *switch.rest.show))
        self.plans.append(plan)
        await self.run(commands.switch(plan, sway=self._sway))
        outcome = State()
        outcome.windows.update(self.tree)
        outcome.apply_plan(plan)
        self.tree = outcome.windows
        self._make_workspaces(plan)

    async def set_sizes(self, switch: LayoutSwitch) -> None:
        await self.run(f"sizes for {len(switch.placement.targets)} parents")

    async def focused_workspace(self) -> str:
        self._check()
        return "1"

    async def screens(self) -> Screens:
        self._check()
        await asyncio.sleep(0)
        return self.screen_state

    async def move_workspaces(self, plan: Reassignment) -> None:
        self.reassignments.append(plan)
        await self.run(outputs.reassign(plan))
        where = {m.workspace: m.output for m in plan.moves}
        moved = tuple(
            replace(w, output=where.get(w.name, w.output)) for w in self.screen_state.workspaces
        )
        self.screen_state = replace(self.screen_state, workspaces=moved)
        self.show(*plan.show)

    async def restore_focus(self, plan: FocusRestore, window: Window | None) -> None:
        self.restores.append((plan, window))
        await self.run(outputs.restore(plan, commands.focus(window) if window else ""))
        self.show(*plan.show)

    def show(self, *names: str) -> None:
        """Each named workspace becomes the one its output shows; the last gets the focus."""
        workspaces = list(self.screen_state.workspaces)
        for name in names:
            output = next(w.output for w in workspaces if w.name == name)
            workspaces = [
                replace(w, visible=w.name == name if w.output == output else w.visible,
                        focused=w.name == name)
                for w in workspaces
            ]  # fmt: skip
        self.screen_state = replace(self.screen_state, workspaces=tuple(workspaces))

    async def sync(
        self,
        on_back: Callable[[], None] | None = None,
        on_sent: Callable[[], None] | None = None,
    ) -> bool:
        self._check()
        self.syncs += 1
        if on_sent is not None:
            on_sent()
        await asyncio.sleep(0)
        if self.before_tick is not None:
            self.before_tick()
        if self.sync_answer:
            if on_back is not None:
                on_back()
            if self.after_tick is not None:
                self.after_tick()
        return self.sync_answer

    def close(self) -> None:
        self._connected = False


@dataclass
class Heard(Listener):
    """A listener that keeps what it is told, in order."""

    # (method name, arguments) of every call.
    calls: list[tuple[str, tuple[object, ...]]] = field(default_factory=list)

    def named(self, name: str) -> list[tuple[object, ...]]:
        return [args for called, args in self.calls if called == name]

    def window_added(self, window: Window) -> None:
        self.calls.append(("window_added", (window,)))

    def window_changed(self, old: Window, new: Window) -> None:
        self.calls.append(("window_changed", (old, new)))

    def window_removed(self, window: Window) -> None:
        self.calls.append(("window_removed", (window,)))

    def active_changed(self, previous: str, current: str) -> None:
        self.calls.append(("active_changed", (previous, current)))

    def switch_started(self) -> None:
        self.calls.append(("switch_started", ()))

    def switch_ended(self) -> None:
        self.calls.append(("switch_ended", ()))

    def switched(self, previous: str, current: str) -> None:
        self.calls.append(("switched", (previous, current)))

    def event_recorded(self, event: Event) -> None:
        self.calls.append(("event_recorded", (event,)))

    def connection_changed(self, connected: bool) -> None:
        self.calls.append(("connection_changed", (connected,)))

    def launched(self, project: str, pid: int, argv: tuple[str, ...]) -> None:
        self.calls.append(("launched", (project, pid, argv)))

    def config_changed(self) -> None:
        self.calls.append(("config_changed", ()))

    def outputs_changed(self, old: Screens, new: Screens) -> None:
        self.calls.append(("outputs_changed", (old, new)))


def xterm(
    con_id: int,
    workspace: str = "1",
    project: str = "",
    wm_class: str = "XTerm",
    floating: bool = False,
    rect: Rect | None = None,
) -> Window:
    """A window (a terminal, a scoped class, unless told), assigned to ``project`` if given."""
    marks = (assignment_mark(project, format(con_id, "x")),) if project else ()
    return Window(
        id=con_id,
        wm_class=wm_class,
        instance=wm_class.lower(),
        title=f"{wm_class} {con_id}",
        workspace=workspace,
        output="screen" if workspace else "",
        floating=floating,
        marks=marks,
        x11_id=con_id + 0x400000,
        rect=rect,
    )


def store_in(tmp_path: Path) -> Store:
    return Store(environ={"XDG_CONFIG_HOME": str(tmp_path / "config"),
                          "XDG_STATE_HOME": str(tmp_path / "state")})  # fmt: skip


def make_manager(tmp_path: Path) -> Manager:
    """A manager on fresh XDG dirs under ``tmp_path``, its files loaded."""
    store = store_in(tmp_path)
    manager = Manager(store, store.load_settings())
    manager.load()
    return manager


SWITCH_TYPES = ("project::switch", "project::clear")


def project_types(manager: Manager) -> list[str]:
    """The types of the project::switch and project::clear events recorded, oldest first."""
    return [e.type for e in manager.events.recent() if e.type in SWITCH_TYPES]
