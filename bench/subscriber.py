"""One subscriber of row 7, as its own process: prints the time it sees each ProjectSwitched."""

from __future__ import annotations

import sys
import time

from jeepney import MatchRule
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

from i3project_dbus.dbus.names import MANAGER_IFACE, MANAGER_PATH


def main() -> None:
    conn = open_dbus_connection(sys.argv[1])
    rule = MatchRule(
        type="signal",
        interface=MANAGER_IFACE,
        member="ProjectSwitched",
        path=MANAGER_PATH,
    )
    conn.send_and_get_reply(message_bus.AddMatch(rule), timeout=10)
    with conn.filter(rule) as queue:
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        while True:
            msg = conn.recv_until_filtered(queue)
            sys.stdout.write(f"{time.time_ns()} {msg.body[1]}\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
