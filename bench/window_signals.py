"""Row 2's subscriber: the PropertiesChanged each window object gets during a switch,
counted on the bus as any client would see them (issue 14: at most one per window)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from jeepney import HeaderFields, MatchRule
from jeepney.bus_messages import message_bus

from i3project_dbus.dbus.names import PROPERTIES_IFACE, WINDOWS_PATH

from .dbus import Client


@dataclass
class Tally:
    """PropertiesChanged on window objects over the switches counted so far."""

    switches: int = 0
    # Windows moved per switch, summed (n hidden + n shown each).
    moved: int = 0
    # Signals on window objects, summed.
    signals: int = 0
    # The most any one window got in one switch.
    most: int = 0
    # Per switch: how many windows got more than one.
    repeats: list[int] = field(default_factory=list)

    def per_moved_window(self) -> float:
        return self.signals / self.moved if self.moved else 0.0


class WindowSignals:
    """A subscriber of its own: PropertiesChanged below /org/i3project/Manager1/windows."""

    def __init__(self, address: str) -> None:
        self.client = Client(address)
        rule = MatchRule(
            type="signal",
            interface=PROPERTIES_IFACE,
            member="PropertiesChanged",
            path_namespace=WINDOWS_PATH,
        )
        self.queue = self.client.subscribe(rule)

    def start(self) -> None:
        """Forget what came before: call it once the service has settled."""
        self._sync()
        self.queue.clear()

    def count(self, tally: Tally, moved: int) -> None:
        """Add what came since start() to the tally, as one switch of ``moved`` windows.
        Call it once the service has settled (every signal of the switch is sent)."""
        self._sync()
        per_window = Counter(msg.header.fields[HeaderFields.path] for msg in self.queue)
        self.queue.clear()
        tally.switches += 1
        tally.moved += moved
        tally.signals += sum(per_window.values())
        tally.most = max(tally.most, *per_window.values(), 0)
        tally.repeats.append(sum(1 for n in per_window.values() if n > 1))

    def _sync(self) -> None:
        # dbus-daemon routes one sender's messages in order: once a round trip to it on
        # this connection is back, every signal the service sent before is in the queue.
        self.client.conn.send_and_get_reply(message_bus.GetId(), timeout=10)

    def close(self) -> None:
        self.client.close()
