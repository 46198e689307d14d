"""A GLib client of the service, as desktop programs are written: a Gio.DBusProxy on the
manager object that reads its cached ActiveProject in its ProjectSwitched handler.

Run by tests/dbus/test_signals.py with the system python3 (PyGObject, Debian's
python3-gi; the venv has no gi). Usage: glib_client.py ADDRESS COUNT TIMEOUT. Prints
"ready" once its proxy and signal subscription are in place, then one JSON line per
ProjectSwitched: {"previous", "current", "cached"}; exits after COUNT of them, or
with status 2 after TIMEOUT seconds.
"""

import json
import sys

import gi

gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

BUS_NAME = "org.i3project.Manager1"
PATH = "/org/i3project/Manager1"


def main() -> int:
    address, count, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    flags = (
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
        | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION
    )
    conn = Gio.DBusConnection.new_for_address_sync(address, flags, None, None)
    proxy = Gio.DBusProxy.new_sync(conn, Gio.DBusProxyFlags.NONE, None, BUS_NAME, PATH, BUS_NAME)
    # The proxy's AddMatch calls are not awaited; a round trip to the bus after them
    # means the bus has them (it handles one connection's messages in order).
    conn.call_sync(
        "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId",
        None, None, Gio.DBusCallFlags.NONE, -1, None,
    )  # fmt: skip
    loop = GLib.MainLoop()
    seen = []
    status = [2]

    def on_signal(proxy: Gio.DBusProxy, _sender: str, name: str, params: GLib.Variant) -> None:
        if name != "ProjectSwitched":
            return
        previous, current = params.unpack()
        cached = proxy.get_cached_property("ActiveProject")
        value = cached.unpack() if cached is not None else None
        line = {"previous": previous, "current": current, "cached": value}
        print(json.dumps(line), flush=True)
        seen.append(line)
        if len(seen) == count:
            status[0] = 0
            loop.quit()

    proxy.connect("g-signal", on_signal)
    GLib.timeout_add(int(timeout * 1000), loop.quit)
    print("ready", flush=True)
    loop.run()
    return status[0]


if __name__ == "__main__":
    sys.exit(main())
