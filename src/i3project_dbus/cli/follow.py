"""`i3project events --follow`: the recent events, then each new one as it is signalled.

Blocking (jeepney): the match rules are added before Recent is read, so no event falls
in between; ids already printed are skipped. When the service restarts its ids start
again from 1, so a new owner of the bus name resets that count.
"""

from __future__ import annotations

from collections.abc import Callable

from jeepney import MatchRule, Message, MessageType
from jeepney.bus_messages import message_bus

from ..dbus import names
from .client import Client, unwrap
from .errors import OK
from .output import Output
from .present import Event, print_event_line


def follow_events(client: Client, out: Output, limit: int, wanted: Callable[[str], bool]) -> int:
    conn = client.connect()
    events_rule = MatchRule(type="signal", sender=names.BUS_NAME, path=names.EVENTS_PATH,
                            interface=names.EVENTS_IFACE, member="Event")  # fmt: skip
    owner_rule = MatchRule(
        type="signal",
        sender="org.freedesktop.DBus",
        interface="org.freedesktop.DBus",
        member="NameOwnerChanged",
    )
    owner_rule.add_arg_condition(0, names.BUS_NAME)
    for rule in (events_rule, owner_rule):
        conn.send_and_get_reply(message_bus.AddMatch(rule), timeout=client.timeout)
    # The bus matches sender= against the name's owner; locally a signal's sender is the
    # owner's unique name, so the local filter leaves sender out.
    events_rule = MatchRule(type="signal", path=names.EVENTS_PATH,
                            interface=names.EVENTS_IFACE, member="Event")  # fmt: skip
    last_id = 0
    recent = [e for e in client.recent_events(0) if wanted(e.type)]
    for event in recent[-limit:] if limit else recent:
        print_event_line(out, event)
        last_id = max(last_id, event.id)
    with conn.filter(events_rule) as events, conn.filter(owner_rule) as owners:
        while True:
            conn.recv_messages()
            while owners:
                msg: Message = owners.popleft()
                if msg.body[2]:
                    last_id = 0
            while events:
                msg = events.popleft()
                if msg.header.message_type != MessageType.signal:
                    continue
                event_id, time_us, kind, details = msg.body
                if event_id <= last_id or not wanted(kind):
                    continue
                last_id = event_id
                print_event_line(out, Event(event_id, time_us, kind, unwrap(details)))
    return OK
