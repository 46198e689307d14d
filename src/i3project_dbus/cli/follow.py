"""`i3project events --follow`: the recent events, then each new one as it is signalled.

Blocking (jeepney): the match rules are added before Recent is read, so no event falls
in between; ids already printed are skipped. When the service restarts, its ids start
again from 1 and its first events were signalled before it owned the bus name (so no
rule matched them): a new owner prints a restart marker, then the new instance's events
read from Recent, from id 1 on.
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
    last_id = replay(client, out, wanted, limit)
    with conn.filter(events_rule) as events, conn.filter(owner_rule) as owners:
        while True:
            conn.recv_messages()
            while owners:
                msg: Message = owners.popleft()
                if msg.body[2]:
                    print_restart(out)
                    last_id = replay(client, out, wanted)
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


def replay(client: Client, out: Output, wanted: Callable[[str], bool], limit: int = 0) -> int:
    """Print the service's recent events (the newest ``limit``, or all); return the
    newest id, printed or not."""
    recent = client.recent_events(0)
    shown = [e for e in recent if wanted(e.type)]
    for event in shown[-limit:] if limit else shown:
        print_event_line(out, event)
    return max((e.id for e in recent), default=0)


def print_restart(out: Output) -> None:
    """The marker between two instances of the service: ids start again from 1 after it."""
    if out.as_json:
        out.line('{"restart": true}')
    else:
        out.line("-- the service restarted: its event ids start again from 1 --")
    out.stream.flush()
