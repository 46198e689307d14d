"""Transient scopes from the systemd user manager, for launched apps (StartTransientUnit).

A scope is made for a process that already exists: the launcher holds the process before
exec, asks for the scope here, and lets it exec once systemd reports the job done, so
that not even its first child starts outside the scope. Low-level calls, as for
notifications: no proxy introspection on the way of a launch.
"""

from __future__ import annotations

import asyncio
import logging

from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus

from . import names

log = logging.getLogger(__name__)

DBUS_NAME = "org.freedesktop.DBus"
DBUS_PATH = "/org/freedesktop/DBus"
# Starting a scope is quick; past this the app runs without waiting for systemd.
CALL_TIMEOUT = 3.0
JOB_REMOVED_RULE = (
    f"type='signal',sender='{names.SYSTEMD_BUS_NAME}',path='{names.SYSTEMD_PATH}',"
    f"interface='{names.SYSTEMD_MANAGER_IFACE}',member='JobRemoved'"
)
# Job results kept while a start waits, for a JobRemoved that comes before the reply.
MAX_EARLY_RESULTS = 64


def scope_properties(pid: int, description: str) -> list[list[object]]:
    """The scope's properties: the process, a description for systemctl, the app slice
    that systemd's desktop conventions ask for, and collection once it is over (failed
    or not, a finished app's scope is of no use to anyone)."""
    return [
        ["PIDs", Variant("au", [pid])],
        ["Description", Variant("s", description)],
        ["Slice", Variant("s", "app.slice")],
        ["CollectMode", Variant("s", "inactive-or-failed")],
    ]


def start_message(unit: str, pid: int, description: str) -> Message:
    return Message(
        destination=names.SYSTEMD_BUS_NAME,
        path=names.SYSTEMD_PATH,
        interface=names.SYSTEMD_MANAGER_IFACE,
        member="StartTransientUnit",
        signature="ssa(sv)a(sa(sv))",
        # "fail": refuse rather than replace a queued job on a unit of the same name.
        body=[unit, "fail", scope_properties(pid, description), []],
    )


class SystemdScopes:
    """Scopes through the systemd user manager on one bus connection."""

    def __init__(self, bus: MessageBus) -> None:
        self._bus = bus
        # Whether the JobRemoved match rule and handler are in place on the connection.
        self._subscribed = False
        # Starts waiting for their job, by job path.
        self._waiting: dict[str, asyncio.Future[str]] = {}
        # Results of jobs that ended before their start learnt the job path.
        self._early: dict[str, str] = {}
        # How many starts are between their call and their result.
        self._in_flight = 0

    async def available(self) -> bool:
        reply = await self._call(
            Message(
                destination=DBUS_NAME,
                path=DBUS_PATH,
                interface=DBUS_NAME,
                member="NameHasOwner",
                signature="s",
                body=[names.SYSTEMD_BUS_NAME],
            )
        )
        return reply is not None and reply.body == [True]

    async def start(self, unit: str, pid: int, description: str) -> bool:
        try:
            await self._subscribe()
            self._in_flight += 1
            try:
                return await self._start(unit, pid, description)
            finally:
                self._in_flight -= 1
                if not self._in_flight:
                    self._early.clear()
        except Exception as exc:  # the app still runs, outside a scope: not fatal
            log.warning("no systemd scope for pid %s: %r", pid, exc)
            return False

    async def _start(self, unit: str, pid: int, description: str) -> bool:
        reply = await self._call(start_message(unit, pid, description))
        if reply is None:
            return False
        job = str(reply.body[0])
        result = self._early.pop(job, None)
        if result is None:
            waiter = asyncio.get_running_loop().create_future()
            self._waiting[job] = waiter
            try:
                result = await asyncio.wait_for(waiter, CALL_TIMEOUT)
            finally:
                self._waiting.pop(job, None)
        if result != "done":
            log.warning("systemd could not start %s: job %s", unit, result)
            return False
        log.debug("pid %s is in %s", pid, unit)
        return True

    async def _call(self, message: Message) -> Message | None:
        async with asyncio.timeout(CALL_TIMEOUT):
            reply = await self._bus.call(message)
        if reply is None or reply.message_type == MessageType.ERROR:
            error = (reply.error_name, reply.body) if reply is not None else "no reply"
            log.warning("%s.%s failed: %s", message.interface, message.member, error)
            return None
        return reply

    async def _subscribe(self) -> None:
        if self._subscribed:
            return
        self._bus.add_message_handler(self._on_message)
        reply = await self._call(
            Message(
                destination=DBUS_NAME,
                path=DBUS_PATH,
                interface=DBUS_NAME,
                member="AddMatch",
                signature="s",
                body=[JOB_REMOVED_RULE],
            )
        )
        if reply is None:
            self._bus.remove_message_handler(self._on_message)
            raise RuntimeError("cannot listen for systemd's JobRemoved")
        self._subscribed = True

    def _on_message(self, message: Message) -> bool:
        if (
            message.message_type != MessageType.SIGNAL
            or message.member != "JobRemoved"
            or message.interface != names.SYSTEMD_MANAGER_IFACE
            or message.signature != "uoss"
        ):
            return False
        _id, job, _unit, result = message.body
        waiter = self._waiting.get(job)
        if waiter is not None:
            if not waiter.done():
                waiter.set_result(result)
        elif self._in_flight and len(self._early) < MAX_EARLY_RESULTS:
            self._early[job] = result
        return False
