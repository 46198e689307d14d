"""Property changes batched per object and announced once, with final values, before the
signals that follow from them.

Why: a switch moves each window through several i3 events, and a client that reads a
property in a ProjectSwitched handler must see the new value. So changes are only
noted as they happen; at a flush each noted property is read once, compared with the
value last announced for it, and only what differs goes out, one PropertiesChanged per
object. Signals queued with after_flush (ProjectSwitched) follow the flush. A flush
runs at the end of the loop turn, or, while a switch holds the batch, when it ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Any

from dbus_fast.service import ServiceInterface

from .fastcompat import after_reply

log = logging.getLogger(__name__)

# A switch that never ends (a bug) must not silence the bus: flush anyway after this long
# (well past a slow switch of hundreds of windows, and the barrier's own timeout).
HOLD_LIMIT = 5.0

_UNSET = object()


def property_names(iface: ServiceInterface) -> tuple[str, ...]:
    """The readable D-Bus properties of an interface, from its introspection (cached)."""
    cls = type(iface)
    names = _PROPERTY_NAMES.get(cls)
    if names is None:
        names = tuple(p.name for p in iface.introspect().properties if p.access.readable())
        _PROPERTY_NAMES[cls] = names
    return names


_PROPERTY_NAMES: dict[type[ServiceInterface], tuple[str, ...]] = {}


class Batch:
    """Noted property changes, the values last announced, and the signals that wait."""

    def __init__(self) -> None:
        # Exported interface -> property name -> the value clients were last told.
        self._announced: dict[ServiceInterface, dict[str, Any]] = {}
        # Exported interface -> names of properties that may have changed since.
        self._pending: dict[ServiceInterface, set[str]] = {}
        # Signals to send, in order, right after the next flush.
        self._signals: list[Callable[[], None]] = []
        # Open holds (switch_started without its switch_ended yet).
        self._holds = 0
        # Holds that HOLD_LIMIT gave up on: their late release is expected, not a bug.
        self._abandoned = 0
        # The end-of-loop-turn flush, once one is scheduled.
        self._soon: asyncio.Handle | None = None
        # The HOLD_LIMIT timer while a hold is open.
        self._limit: asyncio.TimerHandle | None = None

    # -- objects ----------------------------------------------------------------

    def track(self, iface: ServiceInterface) -> None:
        """An interface was just exported: InterfacesAdded told its current values."""
        self._announced[iface] = {name: getattr(iface, name) for name in property_names(iface)}
        self._pending.pop(iface, None)

    def forget(self, iface: ServiceInterface) -> None:
        """An interface was unexported: nothing more is announced for it."""
        self._announced.pop(iface, None)
        self._pending.pop(iface, None)

    # -- noting changes ---------------------------------------------------------

    def note(self, iface: ServiceInterface, *props: str) -> None:
        """These properties of iface may have changed; they are read at the flush."""
        if iface not in self._announced:
            return
        self._pending.setdefault(iface, set()).update(props)
        self._schedule()

    def after_flush(self, send: Callable[[], None]) -> None:
        """Send a signal once the property changes noted so far are out."""
        self._signals.append(send)
        self._schedule()

    def _schedule(self) -> None:
        if self._soon is None and not self._holds:
            self._soon = asyncio.get_running_loop().call_soon(self._flush_soon)

    # -- holding ----------------------------------------------------------------

    @property
    def held(self) -> bool:
        """Whether a switch holds the batch now."""
        return bool(self._holds)

    @property
    def waiting(self) -> bool:
        """Whether noted changes or signals wait for a flush (held, or due this turn)."""
        return bool(self._holds or self._pending or self._signals)

    def hold(self) -> None:
        self._holds += 1
        if self._limit is None:
            self._limit = asyncio.get_running_loop().call_later(HOLD_LIMIT, self._held_too_long)

    def release(self) -> None:
        if self._holds:
            self._holds -= 1
        elif self._abandoned:
            self._abandoned -= 1
        else:
            log.warning("a switch ended that had not started")
        if not self._holds:
            self._cancel_limit()
            self.flush()

    @contextlib.contextmanager
    def until_replied(self) -> Iterator[None]:
        """Hold the batch for a D-Bus method that moves windows, until its reply is out:
        the caller gets its answer without waiting for the signals to be encoded and
        sent, and they follow it at once."""
        self.hold()
        try:
            yield
        finally:
            after_reply(self.release)

    def _held_too_long(self) -> None:
        self._limit = None
        log.warning("a switch held property changes for %ss; sending them", HOLD_LIMIT)
        self._abandoned += self._holds
        self._holds = 0
        self.flush()

    def _cancel_limit(self) -> None:
        if self._limit is not None:
            self._limit.cancel()
            self._limit = None

    # -- flushing ---------------------------------------------------------------

    def _flush_soon(self) -> None:
        self._soon = None
        if not self._holds:
            self.flush()

    def flush(self) -> None:
        """Announce what changed, then send the waiting signals (also at shutdown)."""
        if self._soon is not None:
            self._soon.cancel()
            self._soon = None
        pending, self._pending = self._pending, {}
        for iface, props in pending.items():
            self._announce(iface, props)
        signals, self._signals = self._signals, []
        for send in signals:
            try:
                send()
            except Exception:
                log.exception("sending a signal after the property changes")

    def _announce(self, iface: ServiceInterface, props: set[str]) -> None:
        announced = self._announced.get(iface)
        if announced is None:
            return
        changed = {}
        for name in sorted(props):
            value = getattr(iface, name)
            if announced.get(name, _UNSET) != value:
                changed[name] = value
        if not changed:
            return
        announced.update(changed)
        try:
            iface.emit_properties_changed(changed)
        except Exception:
            log.exception("emitting PropertiesChanged on %s", iface.name)
