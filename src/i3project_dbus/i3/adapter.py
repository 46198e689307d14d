"""The service's view of one i3 or sway instance: typed events out, commands in, the
tick barrier. This is model/port.py's I3Port; past it nobody reads i3's JSON."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..model.captured import Capture
from ..model.errors import I3CommandFailed, NotConnected
from ..model.focus import FocusRestore
from ..model.layout import Forest
from ..model.layout_switch import LayoutSwitch
from ..model.outputs import Screens
from ..model.reassign import Reassignment
from ..model.switch import SwitchPlan
from ..model.window import Window
from ..model.wmevents import TickEvent, WMEvent
from . import commands, layout_commands, outputs
from .capture import capture
from .connection import Connection
from .events import parse_event
from .ipc import ConnectionLost, EventType, MessageType, SubscriptionRefused, parse_json
from .layout import forest
from .tree import windows_from_tree

if TYPE_CHECKING:
    from ..model.port import I3Port

log = logging.getLogger(__name__)

SUBSCRIPTIONS = (
    EventType.WINDOW,
    EventType.WORKSPACE,
    EventType.OUTPUT,
    EventType.BINDING,
    EventType.TICK,
    EventType.SHUTDOWN,
)
# sway before 1.8 has no output event and refuses a SUBSCRIBE that names it, whole.
SUBSCRIPTIONS_WITHOUT_OUTPUT = tuple(e for e in SUBSCRIPTIONS if e is not EventType.OUTPUT)

# The payload of the adapter's own barrier ticks; no tick with it reaches on_event.
SYNC_PREFIX = "i3project-dbus:sync:"
# How long sync() waits for its tick to come back once i3 has taken it.
SYNC_TIMEOUT = 1.0

EventHandler = Callable[[WMEvent], None]

# What wm_state_json puts together: its key for each reply.
WM_STATE_PARTS = (
    ("workspaces", MessageType.GET_WORKSPACES),
    ("outputs", MessageType.GET_OUTPUTS),
    ("marks", MessageType.GET_MARKS),
    ("version", MessageType.GET_VERSION),
)


class I3Adapter:
    """One live connection. When it is lost, ``lost`` is set and the adapter is done:
    the service makes a new one."""

    def __init__(self, socket_path: str, on_event: EventHandler) -> None:
        self._socket_path = socket_path  # the i3 or sway socket this adapter talks to
        self._on_event = on_event  # gets every typed event, in i3's order
        self.lost = asyncio.Event()  # set once, when the connection fails
        self._wm_name = "i3"  # "i3" or "sway", from GET_VERSION
        self._wm_version = ""  # the version's first word, from GET_VERSION
        self._syncs = 0  # the number in the last sync tick's payload
        self._waiting: dict[str, asyncio.Future[None]] = {}  # sync payload -> its waiter
        self._on_back: dict[str, Callable[[], None]] = {}  # sync payload -> its callback
        self._events = 0  # i3 events handled (sync ticks aside): what dates a tree read
        # The tree an autosave read just before a switch, and the count of events when it
        # was read: the switch's own read takes it if no event came and no command ran
        # in between (nothing changed, so i3 would send the same bytes again).
        self._last_tree: tuple[int, bytes] | None = None
        self._subscribed: tuple[EventType, ...] = ()  # what i3 accepted in SUBSCRIBE
        self._conn = Connection(socket_path, self._handle, self._lose)

    @property
    def socket_path(self) -> str:
        return self._socket_path

    @property
    def description(self) -> str:
        return f"{self._wm_name} {self._wm_version}".strip()

    @property
    def is_sway(self) -> bool:
        return self._wm_name == "sway"

    @property
    def connected(self) -> bool:
        return self._conn.connected and not self.lost.is_set()

    @property
    def subscriptions(self) -> tuple[str, ...]:
        return tuple(e.name.lower() for e in self._subscribed)

    async def connect(self) -> None:
        """Connect and subscribe; events flow from here on, before any tree is read."""
        await self._conn.connect()
        try:
            await self._subscribe()
            version = await self._conn.request(MessageType.GET_VERSION)
        except BaseException:
            self.close()
            raise
        self._wm_version = str(version.get("human_readable") or "").split(" ")[0]
        # sway answers GET_VERSION with a "variant" key and "sway" in its strings.
        text = f"{version.get('variant', '')} {version.get('loaded_config_file_name', '')}"
        if "sway" in text or "sway" in str(version.get("human_readable", "")).lower():
            self._wm_name = "sway"

    async def _subscribe(self) -> None:
        try:
            await self._conn.subscribe(SUBSCRIPTIONS)
            self._subscribed = SUBSCRIPTIONS
        except SubscriptionRefused:
            log.debug("subscription refused; subscribing again without output events")
            await self._conn.subscribe(SUBSCRIPTIONS_WITHOUT_OUTPUT)
            self._subscribed = SUBSCRIPTIONS_WITHOUT_OUTPUT

    # -- events -----------------------------------------------------------------

    def _handle(self, kind: int, body: Any) -> None:
        """Every i3 event, in order: a sync tick releases its waiter, anything else goes
        to on_event as a typed event. Whatever on_event raises is logged, never fatal."""
        event = parse_event(kind, body)
        if event is None:
            return
        if isinstance(event, TickEvent) and event.payload.startswith(SYNC_PREFIX):
            waiter = self._waiting.pop(event.payload, None)
            on_back = self._on_back.pop(event.payload, None)
            if waiter is not None and not waiter.done():
                if on_back is not None:
                    on_back()
                waiter.set_result(None)
            return
        self._events += 1
        try:
            self._on_event(event)
        except Exception:
            log.exception("error handling i3 event %r", event)

    def _lose(self) -> None:
        self.lost.set()
        self._fail_waiters()

    def _fail_waiters(self) -> None:
        waiting, self._waiting = self._waiting, {}
        for waiter in waiting.values():
            if not waiter.done():
                waiter.set_exception(NotConnected("lost the connection to i3"))

    async def sync(
        self,
        on_back: Callable[[], None] | None = None,
        on_sent: Callable[[], None] | None = None,
    ) -> bool:
        """The tick barrier: True once every event i3 sent before this call has been
        handed to on_event (i3 delivers events in order, and this tick after them);
        False if the tick did not come back within SYNC_TIMEOUT of i3 taking it.
        ``on_back`` is called as the tick is handled: before any event after it, where
        the waiter's result reaches this coroutine a turn of the loop later. ``on_sent``
        once i3 has answered the tick: anything asked of i3 from then on comes after."""
        self._syncs += 1
        payload = f"{SYNC_PREFIX}{self._syncs}"
        waiter = asyncio.get_running_loop().create_future()
        if on_back is not None:
            self._on_back[payload] = on_back
        self._waiting[payload] = waiter
        try:
            await self._request(MessageType.SEND_TICK, payload)
            if on_sent is not None:
                on_sent()
            async with asyncio.timeout(SYNC_TIMEOUT):
                await waiter
            return True
        except TimeoutError:
            log.debug("sync tick %s did not come back in time", payload)
            return False
        finally:
            self._waiting.pop(payload, None)
            self._on_back.pop(payload, None)
            if waiter.done() and not waiter.cancelled():
                waiter.exception()  # lost before it was awaited: NotConnected came already

    # -- requests ---------------------------------------------------------------

    async def _request(self, kind: MessageType, payload: str = "") -> Any:
        if self.lost.is_set():
            raise NotConnected("not connected to i3")
        try:
            return await self._conn.request(kind, payload)
        except ConnectionLost as exc:
            raise NotConnected(f"lost the connection to i3: {exc}") from exc

    async def windows(self) -> list[Window]:
        return windows_from_tree(await self.tree())

    async def capture(self) -> Capture:
        return capture(await self.tree())

    async def capture_later(self) -> Callable[[], Capture]:
        if self.lost.is_set():
            raise NotConnected("not connected to i3")
        try:
            raw = await self._conn.request_raw(MessageType.GET_TREE)
        except ConnectionLost as exc:
            raise NotConnected(f"lost the connection to i3: {exc}") from exc
        self._last_tree = (self._events, raw)
        return lambda: capture(parse_json(raw))

    async def tree(self) -> dict[str, Any]:
        """i3's whole layout tree, parsed: the one capture_later read, if nothing can
        have changed since, else read now."""
        last, self._last_tree = self._last_tree, None
        if last is not None and last[0] == self._events:
            fresh: dict[str, Any] = parse_json(last[1])
            return fresh
        tree: dict[str, Any] = await self._request(MessageType.GET_TREE)
        return tree

    async def _request_text(self, kind: MessageType) -> str:
        """A reply as the JSON text i3 sent (undecodable bytes as U+FFFD)."""
        if self.lost.is_set():
            raise NotConnected("not connected to i3")
        try:
            raw = await self._conn.request_raw(kind)
        except ConnectionLost as exc:
            raise NotConnected(f"lost the connection to i3: {exc}") from exc
        return raw.decode("utf-8", errors="replace")

    async def tree_json(self) -> str:
        """i3's layout tree as the JSON text it sent."""
        return await self._request_text(MessageType.GET_TREE)

    async def wm_state_json(self) -> str:
        """Four replies put together as they came: each is a JSON value already."""
        parts = []
        for key, kind in WM_STATE_PARTS:
            parts.append(f'"{key}": {await self._request_text(kind)}')
        return "{" + ", ".join(parts) + "}"

    async def run(self, command: str) -> None:
        """Run one command payload; raise I3CommandFailed naming i3's errors if any part failed."""
        if not command:
            return
        self._last_tree = None
        replies = await self._request(MessageType.RUN_COMMAND, command)
        errors = [str(r.get("error", "unknown error")) for r in replies if not r.get("success")]
        if errors:
            raise I3CommandFailed("; ".join(errors))

    async def run_switch(self, plan: SwitchPlan) -> None:
        """Run a switch plan as one command. sway, unlike i3, moves the focus to the
        workspace a window leaves for the scratchpad, so there the focused workspace is
        focused again after (one more round trip, whatever the number of windows)."""
        command = commands.switch(plan, sway=self.is_sway)
        if self.is_sway and plan.hide:
            focused = await self.focused_workspace()
            if focused:
                command = commands.join([command, commands.focus_workspace(focused)])
        await self.run(command)

    async def layout(self) -> Forest:
        return forest(await self.tree(), sway=self.is_sway)

    async def prepare(self, switch: LayoutSwitch) -> None:
        command = layout_commands.prepare(switch)
        log.debug("before the switch to %r: %s", switch.target, command)
        await self.run(command)

    async def run_layout(self, switch: LayoutSwitch, forest: Forest) -> None:
        payload = layout_commands.payload(switch, forest)
        log.debug("switch to %r: %s", switch.target, payload)
        await self.run(payload)

    async def set_sizes(self, switch: LayoutSwitch) -> None:
        resize = layout_commands.sizes(switch, await self.layout())
        log.debug("sizes: %s", resize)
        await self.run(resize)

    async def focused_workspace(self) -> str:
        workspaces = await self._request(MessageType.GET_WORKSPACES)
        return next((str(w.get("name") or "") for w in workspaces if w.get("focused")), "")

    async def screens(self) -> Screens:
        # Outputs first: a workspace listed on an output read a moment earlier is
        # better than an output whose workspaces are not in the reading.
        reply = await self._request(MessageType.GET_OUTPUTS)
        return outputs.screens_from_json(reply, await self._request(MessageType.GET_WORKSPACES))

    async def move_workspaces(self, plan: Reassignment) -> None:
        await self.run(outputs.reassign(plan))

    async def restore_focus(self, plan: FocusRestore, window: Window | None) -> None:
        focus = commands.focus(window) if window is not None else ""
        await self.run(outputs.restore(plan, focus))

    async def tick(self, payload: str) -> None:
        """Send a tick (for the manager's own barrier until it uses sync())."""
        await self._request(MessageType.SEND_TICK, payload)

    def close(self) -> None:
        """Close the connection; a sync() waiting for its tick gets NotConnected."""
        self._conn.close()
        self._fail_waiters()


if TYPE_CHECKING:
    # mypy checks here that the adapter is the port the capabilities are written against.
    _port: type[I3Port] = I3Adapter
