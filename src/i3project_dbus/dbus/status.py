"""GetStatus's a{sv}: the D-Bus type of each key, fixed here so that a client can rely
on it (a count is always `t`, never an `x` one day and a `u` the next)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import cast

from dbus_fast import Variant

from .. import __version__

STATUS_SIGNATURES: Mapping[str, str] = {
    "version": "s",
    "pid": "u",
    "started_us": "x",
    "uptime_s": "d",
    "connected": "b",
    "window_manager": "s",
    "i3_socket": "s",
    "subscriptions": "as",
    "i3_events": "t",
    "events_recorded": "t",
    "errors": "t",
    "reconnects": "u",
    "last_switch_us": "x",
    "rss_bytes": "t",
}


def status_variants(values: Mapping[str, object]) -> dict[str, Variant]:
    """The manager's status with the service's version, each value typed as above."""
    plain = {"version": __version__, **values}
    typed: dict[str, Variant] = {}
    for key, sig in STATUS_SIGNATURES.items():
        value = plain.get(key)
        if value is None:
            continue
        typed[key] = Variant(sig, list(cast(Iterable[str], value)) if sig == "as" else value)
    return typed
