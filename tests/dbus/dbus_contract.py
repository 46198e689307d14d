"""A dbus-fast client for the contract tests: calls that return replies or error names,
and a record of every signal the service sends, with an awaitable wait and a timeout."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dbus_fast import Message, MessageType
from dbus_fast.aio import MessageBus

from harness import BUS_NAME


@dataclass
class Client:
    """A dbus-fast connection to the private bus that keeps every signal from the service."""

    bus: MessageBus
    signals: list[Message] = field(default_factory=list)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def call(
        self, path: str, interface: str, member: str, signature: str = "", *body: Any
    ) -> Message:
        """Call a method; return the reply, which may be an ERROR message (not raised)."""
        reply = await self.bus.call(
            Message(
                destination=BUS_NAME,
                path=path,
                interface=interface,
                member=member,
                signature=signature,
                body=list(body),
            )
        )
        assert reply is not None
        return reply

    async def ok(
        self, path: str, interface: str, member: str, signature: str = "", *body: Any
    ) -> Any:
        """Call a method that must succeed; return its body (one value unwrapped)."""
        reply = await self.call(path, interface, member, signature, *body)
        assert reply.message_type == MessageType.METHOD_RETURN, (
            f"{member} failed: {reply.error_name}: {reply.body}"
        )
        return reply.body[0] if len(reply.body) == 1 else reply.body

    async def error(
        self, path: str, interface: str, member: str, signature: str = "", *body: Any
    ) -> tuple[str, str]:
        """Call a method that must fail; return (error name, message)."""
        reply = await self.call(path, interface, member, signature, *body)
        assert reply.message_type == MessageType.ERROR, f"{member} succeeded: {reply.body}"
        assert reply.error_name is not None
        return reply.error_name, str(reply.body[0]) if reply.body else ""

    async def get(self, path: str, interface: str, prop: str) -> Any:
        variant = await self.ok(
            path, "org.freedesktop.DBus.Properties", "Get", "ss", interface, prop
        )
        return variant.value

    def _on_message(self, msg: Message) -> None:
        if msg.message_type == MessageType.SIGNAL and msg.sender != "org.freedesktop.DBus":
            self.signals.append(msg)
            self._arrived.set()

    def matching(self, member: str, path: str | None = None) -> list[Message]:
        return [m for m in self.signals if m.member == member and (path is None or m.path == path)]

    async def wait_signal(
        self,
        member: str,
        pred: Callable[[Message], bool] = lambda _m: True,
        timeout: float = 5.0,
    ) -> Message:
        """The first recorded signal named `member` for which pred holds (past or future)."""

        async def find() -> Message:
            while True:
                for msg in self.signals:
                    if msg.member == member and pred(msg):
                        return msg
                self._arrived.clear()
                await self._arrived.wait()

        try:
            return await asyncio.wait_for(find(), timeout)
        except TimeoutError:
            seen = [(m.path, m.member, m.body) for m in self.signals]
            raise AssertionError(f"no {member} signal within {timeout}s; seen: {seen}") from None
