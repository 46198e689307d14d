"""Desktop notifications on project switch, through org.freedesktop.Notifications.

One low-level Notify call per switch, with no proxy introspection, so a switch never
waits on a round trip it does not need. Consecutive switch notifications replace each
other (replaces_id), so fast switching leaves one bubble, not a stack. Every failure,
including no notification daemon on the bus, is logged at DEBUG and swallowed.
"""

from __future__ import annotations

import asyncio
import logging

from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus

from ..manager import Manager
from ..model.port import Listener
from .names import NOTIFICATIONS_BUS_NAME, NOTIFICATIONS_IFACE, NOTIFICATIONS_PATH

_log = logging.getLogger(__name__)

APP_NAME = "i3project"
EXPIRE_TIMEOUT_MS = 2000
# A notification daemon that is D-Bus activatable may take a moment to start; past
# this, the notification is dropped rather than held.
CALL_TIMEOUT_S = 3.0
NOTIFY_SIGNATURE = "susssasa{sv}i"


def switch_message(previous: str, current: str, display_name: str, replaces_id: int = 0) -> Message:
    """Build the Notify method call announcing a switch from ``previous`` to ``current``."""
    summary = f"Project: {display_name or current}" if current else "No project"
    body = f"was {previous}" if previous else ""
    hints = {
        "urgency": Variant("y", 0),  # low
        "transient": Variant("b", True),  # keep it out of the notification history
        "category": Variant("s", "x-i3project.switch"),
    }
    return Message(
        destination=NOTIFICATIONS_BUS_NAME,
        path=NOTIFICATIONS_PATH,
        interface=NOTIFICATIONS_IFACE,
        member="Notify",
        signature=NOTIFY_SIGNATURE,
        body=[APP_NAME, replaces_id, "", summary, body, [], hints, EXPIRE_TIMEOUT_MS],
    )


class SwitchNotifier(Listener):
    """Announces each switch on one bus while config.json says so (Reload turns it on
    or off), and remembers the last notification's id to replace it."""

    def __init__(self, bus: MessageBus, manager: Manager) -> None:
        # The connection the Notify calls go out on.
        self._bus = bus
        # Where the settings and the projects' display names are read.
        self._manager = manager
        # The id of the last notification shown, replaced by the next one (0: none yet).
        self.replaces_id = 0
        # Notify calls in flight, referenced until they end.
        self._tasks: set[asyncio.Task[None]] = set()

    def switched(self, previous: str, current: str) -> None:
        if not self._manager.settings.notifications:
            return
        project = self._manager.state.projects.get(current)
        title = project.title if project else ""
        task = asyncio.ensure_future(self.notify(previous, current, title))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def notify(self, previous: str, current: str, display_name: str) -> None:
        """Announce a project switch; never raises. ``current`` is "" for none."""
        msg = switch_message(previous, current, display_name, self.replaces_id)
        try:
            async with asyncio.timeout(CALL_TIMEOUT_S):
                reply = await self._bus.call(msg)
        except Exception as exc:  # the bus went away, or the daemon hung: not our problem
            _log.debug("switch notification not sent: %r", exc)
            return
        if reply.message_type == MessageType.ERROR:
            _log.debug("switch notification refused: %s %s", reply.error_name, reply.body)
            return
        if reply.signature == "u":
            self.replaces_id = int(reply.body[0])
