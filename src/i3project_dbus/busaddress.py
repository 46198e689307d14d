"""Where the session bus is: the environment's address, else the socket of the user's bus.

Kept to the standard library's ``os`` so that the one-shot CLI path can import it.
"""

from __future__ import annotations

import os

_UNESCAPED = frozenset("-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_/.\\*")


def _escape(value: str) -> str:
    return "".join(
        c if c in _UNESCAPED else "".join(f"%{b:02x}" for b in c.encode()) for c in value
    )


def session_bus_address(environ: os._Environ[str] | dict[str, str] | None = None) -> str:
    """DBUS_SESSION_BUS_ADDRESS; without it, $XDG_RUNTIME_DIR/bus, where systemd's user
    manager (and dbus-broker) put the session bus, as busctl --user and gdbus look too.
    "" when there is neither."""
    env = os.environ if environ is None else environ
    address = env.get("DBUS_SESSION_BUS_ADDRESS", "")
    if address:
        return address
    runtime = env.get("XDG_RUNTIME_DIR", "")
    if runtime:
        path = os.path.join(runtime, "bus")
        if os.path.exists(path):
            return "unix:path=" + _escape(path)
    return ""


def entries(address: str) -> list[str]:
    """The alternatives of an address ("a;b"), to be tried in order."""
    return [entry for entry in address.split(";") if entry]
