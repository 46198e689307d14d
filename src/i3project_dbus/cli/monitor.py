"""`i3project monitor`: a live dashboard (rich) updated from the service's signals.

Modes: live (active project, projects, windows and the event stream), events (a
scrolling event log), diagnose (the mismatch list, re-checked on every change). The
service may restart underneath: the screen says "disconnected" until it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections import deque
from typing import Any

from dbus_fast import Variant
from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..dbus import names
from ..model.window import SCRATCHPAD
from .diagnose import Mismatch, diagnose
from .live import ServiceFeed, plain_details
from .output import make_console, styled
from .present import Event, format_details, format_time, project_rows, window_flags
from .screens import check_outputs, output_rows
from .status import summary as status_summary

RENDER_DELAY = 0.05
EVENT_STYLES = {"project": "bold magenta", "window": "cyan", "workspace": "green",
                "service": "bold yellow", "config": "red", "tick": "yellow"}  # fmt: skip


def event_style(kind: str) -> str:
    return EVENT_STYLES.get(kind.split("::", 1)[0], "white")


def event_text(event: Event) -> Text:
    text = Text()
    text.append(f"{format_time(event.time_us)} ", style="dim")
    text.append(event.type, style=event_style(event.type))
    rest = format_details(event.details)
    if rest:
        text.append(" " + rest)
    return text


class Monitor:
    def __init__(self, mode: str, limit: int, console: Console) -> None:
        self.mode = mode
        self.limit = max(limit, 1)
        self.console = console
        self.state: dict[str, Any] | None = None
        self.reachable = False
        self.events: deque[Event] = deque(maxlen=self.limit)
        self.last_id = 0
        self.mismatches: list[Mismatch] = []
        # The service's GetStatus (uptime, counters, memory), read with every state.
        self.status: dict[str, Any] = {}
        # The Output objects as plain rows, read again with every state.
        self.outputs: list[dict[str, Any]] = []
        self.updated = ""
        self.live: Live | None = None
        self.feed = ServiceFeed(self.on_state, self.on_event)
        self._render_handle: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    # -- feed callbacks -----------------------------------------------------------

    def on_state(self, state: dict[str, Any] | None) -> None:
        was_reachable = self.reachable
        self.state = state
        self.reachable = state is not None
        self.updated = time.strftime("%H:%M:%S")
        if self.reachable and not was_reachable:
            self.spawn(self.load_recent())
            if self.mode == "events":
                self.console.print(Text("service connected", style="bold green"))
        elif was_reachable and not self.reachable and self.mode == "events":
            self.console.print(Text("service disconnected", style="bold red"))
        if self.mode == "diagnose" and state is not None:
            self.spawn(self.check(state))
        if state is not None:
            self.spawn(self.load_status())
        if self.mode == "live" and state is not None:
            self.spawn(self.load_outputs())
        self.schedule_render()

    def on_event(self, event: Event) -> None:
        if event.id <= self.last_id:
            return
        self.last_id = event.id
        self.events.append(event)
        if self.mode == "events":
            self.console.print(event_text(event))
        self.schedule_render()

    def spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def load_recent(self) -> None:
        # A new service instance counts event ids from 1 again.
        self.last_id = 0
        recent = await self.feed.recent(self.limit)
        self.events.clear()
        for event in recent:
            self.on_event(event)

    async def load_status(self) -> None:
        body = await self.feed.call(names.MANAGER_PATH, names.MANAGER_IFACE, "GetStatus")
        self.status = plain_details(body[0]) if body else {}
        self.schedule_render()

    async def check(self, state: dict[str, Any]) -> None:
        objects = await self.feed.managed_objects()
        self.mismatches = diagnose(state, objects)
        if objects is not None and state.get("connected"):
            options = [{"dry_run": Variant("b", True)}]
            body = await self.feed.call(
                names.MANAGER_PATH, names.MANAGER_IFACE, "ReassignWorkspaces", "a{sv}", options
            )
            pending = [(str(w), str(o)) for w, o in body[0]] if body else []
            self.mismatches += check_outputs(output_rows(objects), pending)
        self.schedule_render()

    async def load_outputs(self) -> None:
        objects = await self.feed.managed_objects()
        self.outputs = output_rows(objects) if objects is not None else []
        self.schedule_render()

    # -- rendering ----------------------------------------------------------------

    def schedule_render(self) -> None:
        if self.live is None or self._render_handle is not None:
            return
        loop = asyncio.get_running_loop()
        self._render_handle = loop.call_later(RENDER_DELAY, self.render_now)

    def render_now(self) -> None:
        self._render_handle = None
        if self.live is not None:
            self.live.update(self.render(), refresh=True)

    def header(self) -> Text:
        text = Text()
        text.append("i3project monitor  ", style="bold")
        if not self.reachable or self.state is None:
            text.append("disconnected", style="bold red")
            text.append("  (waiting for the service to come back)", style="dim")
            return text
        active = self.state.get("active_project", "")
        text.append("active: ")
        text.append(active or "none", style="bold green" if active else "dim")
        i3 = self.state.get("window_manager", "") if self.state.get("connected") else ""
        text.append("   i3: ")
        text.append(i3 or "not connected", style="green" if i3 else "bold red")
        text.append(f"   projects: {len(self.state.get('projects', []))}")
        text.append(f"   windows: {len(self.state.get('windows', []))}")
        text.append(f"   updated {self.updated}", style="dim")
        if self.status:
            text.append(f"\n{status_summary(self.status)}", style="dim")
        return text

    def projects_table(self, state: dict[str, Any]) -> Table:
        table = Table(title="Projects", title_justify="left", expand=True)
        for name in ("", "NAME", "DISPLAY NAME", "WINDOWS", "DIRECTORY"):
            table.add_column(name)
        for row in project_rows(state):
            table.add_row(
                "*" if row["active"] else "",
                row["name"],
                f"{row['icon']} {row['display_name']}".strip(),
                str(row["windows"]),
                row["directory"],
                style="bold green" if row["active"] else None,
            )
        return table

    def windows_table(self, state: dict[str, Any]) -> Table:
        table = Table(title="Windows", title_justify="left", expand=True)
        windows = state.get("windows", [])
        # The id is what `assign` takes: its column is as wide as the widest id.
        widest = max((len(str(w.get("id"))) for w in windows), default=2)
        table.add_column("ID", no_wrap=True, min_width=widest)
        for name in ("CLASS", "TITLE", "WORKSPACE", "PROJECT", "SCOPE", "STATE"):
            table.add_column(name, no_wrap=True, overflow="ellipsis")
        for w in windows:
            hidden = w.get("workspace") == SCRATCHPAD
            table.add_row(
                str(w.get("id")),
                w.get("class", ""),
                w.get("title", ""),
                "(hidden)" if hidden else w.get("workspace", ""),
                w.get("project", "") or "-",
                w.get("scope", ""),
                window_flags(w),
                style="dim" if hidden else ("bold" if w.get("focused") else None),
            )
        return table

    def outputs_table(self) -> Table:
        table = Table(title="Outputs", title_justify="left", expand=True)
        for name in ("OUTPUT", "GEOMETRY", "SHOWS", "WORKSPACES"):
            table.add_column(name, no_wrap=True, overflow="ellipsis")
        for row in self.outputs:
            x, y, w, h = row["rect"]
            name = row["name"] + (" *" if row["primary"] else "")
            table.add_row(name, f"{w}x{h}+{x}+{y}", row["current_workspace"],
                          " ".join(row["workspaces"]),
                          style=None if row["active"] else "dim")  # fmt: skip
        return table

    def events_panel(self) -> Panel:
        # The newest events that fit under the tables (Live crops the bottom otherwise).
        used = 2 + 2  # the header line, the panel's borders, one spare
        if self.state is not None:
            used += len(self.state.get("projects", [])) + len(self.state.get("windows", [])) + 10
            used += len(self.outputs) + 4 if self.outputs else 0
        room = max(3, self.console.size.height - used)
        lines = [event_text(e) for e in list(self.events)[-room:]]
        body: RenderableType = Group(*lines) if lines else Text("no events yet", style="dim")
        return Panel(body, title="Events", title_align="left")

    def diagnose_panel(self) -> Panel:
        if not self.mismatches:
            return Panel(Text("no mismatches", style="green"), title="Diagnose", title_align="left")
        table = Table(expand=True, show_edge=False)
        for name in ("KIND", "WINDOW", "PROBLEM"):
            table.add_column(name)
        for m in self.mismatches:
            table.add_row(m.kind, str(m.window or ""), m.message, style="red")
        return Panel(
            table,
            title=f"Diagnose: {len(self.mismatches)} mismatch(es)",
            title_align="left",
            border_style="red",
        )

    def render(self) -> RenderableType:
        parts: list[RenderableType] = [self.header()]
        if self.state is not None:
            if self.mode == "diagnose":
                parts.append(self.diagnose_panel())
            else:
                parts += [self.projects_table(self.state), self.windows_table(self.state)]
                if self.outputs:
                    parts.append(self.outputs_table())
        if self.mode == "live":
            parts.append(self.events_panel())
        return Group(*parts)

    # -- running ------------------------------------------------------------------

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            loop.add_signal_handler(sig, stop.set)
        runner = asyncio.create_task(self.feed.run())
        stopper = asyncio.create_task(stop.wait())
        if self.mode == "events":
            await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        else:
            with Live(self.render(), console=self.console, auto_refresh=False,
                      redirect_stdout=False, redirect_stderr=False) as live:  # fmt: skip
                self.live = live
                self.render_now()
                await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
                self.live = None
        for task in (runner, stopper, *self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def run(mode: str, limit: int) -> int:
    console = make_console(None, styled())
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(Monitor(mode, limit, console).run())
    return 0
