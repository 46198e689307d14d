"""`i3project status`: the service's health from GetStatus (uptime, counters, memory), and
the one-line summary the monitor's header shows."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from .client import Client, unwrap
from .errors import OK
from .output import Column, Output

# GetStatus's keys in the order shown, with their labels (unknown keys follow as they are).
LABELS = {
    "version": "version",
    "pid": "pid",
    "uptime_s": "uptime",
    "started_us": "started",
    "connected": "connected to i3",
    "window_manager": "window manager",
    "i3_socket": "i3 socket",
    "subscriptions": "i3 subscriptions",
    "i3_events": "i3 events processed",
    "events_recorded": "events recorded",
    "errors": "errors",
    "reconnects": "reconnects",
    "last_switch_us": "last switch took",
    "rss_bytes": "memory (RSS)",
}


def duration(seconds: float) -> str:
    whole = int(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")]
    shown = [f"{n}{unit}" for n, unit in parts if n][:2]
    return " ".join(shown) or f"{seconds:.1f}s"


def mebibytes(size: int) -> str:
    return f"{size / (1 << 20):.1f} MiB"


def value_text(key: str, value: Any) -> str:
    if key == "uptime_s":
        return duration(float(value))
    if key == "started_us":
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(int(value) / 1e6))
    if key == "rss_bytes":
        return mebibytes(int(value))
    if key == "last_switch_us":
        return f"{int(value) / 1000:.1f} ms" if value else "no switch yet"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value) or "none"
    return str(value)


def ordered(status: Mapping[str, Any]) -> list[tuple[str, Any]]:
    known = [(k, status[k]) for k in LABELS if k in status]
    return known + [(k, v) for k, v in status.items() if k not in LABELS]


def summary(status: Mapping[str, Any]) -> str:
    """The monitor header's line: `up 2h 3m  rss 38.1 MiB  events 1204  errors 0  ...`."""
    parts = []
    if "uptime_s" in status:
        parts.append(f"up {duration(float(status['uptime_s']))}")
    if "rss_bytes" in status:
        parts.append(f"rss {mebibytes(int(status['rss_bytes']))}")
    for key, label in (("i3_events", "i3 events"), ("errors", "errors"),
                       ("reconnects", "reconnects")):  # fmt: skip
        if key in status:
            parts.append(f"{label} {status[key]}")
    if status.get("last_switch_us"):
        parts.append(f"last switch {int(status['last_switch_us']) / 1000:.1f} ms")
    return "  ".join(parts)


def run(args: Any, client: Client) -> int:
    (values,) = client.manager("GetStatus")
    status = unwrap(values)
    out = Output(as_json=args.json)
    if args.json:
        out.json(status)
        return OK
    rows = [[LABELS.get(k, k), value_text(k, v)] for k, v in ordered(status)]
    title = f"i3project-dbus status at {time.strftime('%H:%M:%S')}"
    out.table([Column("", "bold"), Column("")], rows, title=title)
    return OK
