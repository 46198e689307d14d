"""The service's view of one i3 or sway instance: connect, read the tree, run commands."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from i3ipc import Event
from i3ipc._private import MessageType

from ..model.errors import I3CommandFailed, NotConnected
from ..model.layout import Forest
from ..model.switch import SwitchPlan
from ..model.window import Window
from . import commands
from .connection import ConnectionLost, EventCallback, I3Connection, SubscriptionRefused
from .layout import forest
from .tree import windows_from_tree

log = logging.getLogger(__name__)

SUBSCRIPTIONS = [
    Event.WINDOW,
    Event.WORKSPACE,
    Event.OUTPUT,
    Event.BINDING,
    Event.TICK,
    Event.SHUTDOWN,
]
# sway before 1.8 has no output event and refuses a SUBSCRIBE that names it, whole.
SUBSCRIPTIONS_WITHOUT_OUTPUT = [e for e in SUBSCRIPTIONS if e is not Event.OUTPUT]


class I3Adapter:
    """One live connection. When it is lost, ``lost`` is set and the adapter is done."""

    def __init__(self, socket_path: str, on_event: EventCallback) -> None:
        self.socket_path = socket_path
        self.lost = asyncio.Event()
        self.wm_name = "i3"
        self.wm_version = ""
        self._conn = I3Connection(socket_path, on_event, self.lost.set)

    @property
    def description(self) -> str:
        return f"{self.wm_name} {self.wm_version}".strip()

    async def connect(self) -> None:
        """Connect and subscribe; events flow from here on, before any tree is read."""
        await self._conn.connect()
        try:
            await self._subscribe()
            version = await self._conn.request(MessageType.GET_VERSION)
        except BaseException:
            self.close()
            raise
        self.wm_version = str(version.get("human_readable") or "").split(" ")[0]
        # sway answers GET_VERSION with a "variant" key and "sway" in its strings.
        text = f"{version.get('variant', '')} {version.get('loaded_config_file_name', '')}"
        if "sway" in text or "sway" in str(version.get("human_readable", "")).lower():
            self.wm_name = "sway"

    async def _subscribe(self) -> None:
        try:
            await self._conn.subscribe_events(SUBSCRIPTIONS)
        except SubscriptionRefused:
            log.debug("subscription refused; subscribing again without output events")
            await self._conn.subscribe_events(SUBSCRIPTIONS_WITHOUT_OUTPUT)

    async def _request(self, kind: MessageType, payload: str = "") -> Any:
        if self.lost.is_set():
            raise NotConnected("not connected to i3")
        try:
            return await self._conn.request(kind, payload)
        except ConnectionLost as exc:
            raise NotConnected(f"lost the connection to i3: {exc}") from exc

    async def windows(self) -> list[Window]:
        return windows_from_tree(await self.tree())

    async def layout(self) -> Forest:
        """The tiling layout of every workspace and the scratchpad's entries, read now."""
        return forest(await self.tree(), sway=self.wm_name == "sway")

    async def tree(self) -> dict[str, Any]:
        """i3's whole layout tree, as i3 sends it."""
        tree: dict[str, Any] = await self._request(MessageType.GET_TREE)
        return tree

    async def run(self, command: str) -> list[dict[str, Any]]:
        """Run one command payload; raise I3CommandFailed naming i3's errors if any part failed."""
        if not command:
            return []
        replies: list[dict[str, Any]] = await self._request(MessageType.COMMAND, command)
        errors = [r.get("error", "unknown error") for r in replies if not r.get("success")]
        if errors:
            raise I3CommandFailed("; ".join(str(e) for e in errors))
        return replies

    async def run_switch(self, plan: SwitchPlan) -> list[dict[str, Any]]:
        """Run a switch plan as one command. sway, unlike i3, moves the focus to the
        workspace a window leaves for the scratchpad, so there the focused workspace is
        focused again after (one more round trip, whatever the number of windows)."""
        sway = self.wm_name == "sway"
        command = commands.switch(plan, sway=sway)
        if sway and plan.hide:
            focused = await self.focused_workspace()
            if focused:
                command = commands.join([command, commands.focus_workspace(focused)])
        return await self.run(command)

    async def focused_workspace(self) -> str:
        workspaces = await self._request(MessageType.GET_WORKSPACES)
        return next((str(w.get("name") or "") for w in workspaces if w.get("focused")), "")

    async def tick(self, payload: str) -> None:
        await self._request(MessageType.SEND_TICK, payload)

    def close(self) -> None:
        self._conn.close()
