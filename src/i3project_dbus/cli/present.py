"""What the commands, the event follower and the monitor show: rows, event lines, times."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from .output import Column, Output


class Event(NamedTuple):
    """One entry of the service's event stream, as Events.Recent and the Event signal
    carry it; `details` holds plain values, `duration_us` among them."""

    id: int
    time_us: int
    type: str
    details: Mapping[str, Any]


def project_rows(state: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Projects with their window count and whether each is active. The display name
    falls back to the name, as the D-Bus DisplayName property does."""
    active = state.get("active_project", "")
    counts: dict[str, int] = {}
    for window in state.get("windows", []):
        if window.get("project"):
            counts[window["project"]] = counts.get(window["project"], 0) + 1
    return [
        {
            "name": p.get("name", ""),
            "display_name": p.get("display_name") or p.get("name", ""),
            "icon": p.get("icon", ""),
            "directory": p.get("directory", ""),
            "scoped_classes": list(p.get("scoped_classes") or []),
            "active": p.get("name") == active,
            "windows": counts.get(p.get("name", ""), 0),
            "created": p.get("created", ""),
            "last_active": p.get("last_active", ""),
        }
        for p in state.get("projects", [])
    ]


def window_flags(window: Mapping[str, Any]) -> str:
    flags = [f for f in ("hidden", "focused", "floating", "urgent") if window.get(f)]
    return ",".join(flags)


def print_windows(out: Output, windows: Sequence[Mapping[str, Any]], title: str = "") -> None:
    # The id is what `assign` takes, so its column is never cut (keep=True).
    columns = [
        Column("ID", "cyan", "right", keep=True), Column("CLASS", "green"), Column("TITLE"),
        Column("WORKSPACE", "yellow"), Column("PROJECT", "magenta"), Column("SCOPE"),
        Column("STATE"),
    ]  # fmt: skip
    scratchpad = None
    if out.is_tty:
        # Imported here: the model costs ~30 ms to import, and pipes print the raw name.
        from ..model.window import SCRATCHPAD

        scratchpad = SCRATCHPAD
    rows = [
        [
            str(w.get("id", "")),
            str(w.get("class", "")),
            str(w.get("title", "")),
            "(hidden)" if w.get("workspace") == scratchpad else w.get("workspace", ""),
            str(w.get("project", "")) or ("-" if out.is_tty else ""),
            str(w.get("scope", "")),
            window_flags(w),
        ]
        for w in windows
    ]
    styles = ["dim" if w.get("hidden") else "bold" if w.get("focused") else "" for w in windows]
    out.table(columns, rows, title=title, row_styles=styles)


def event_matches(kind: str, patterns: Sequence[str] | None) -> bool:
    """`project::switch` exactly, `project` for every project::*, or a glob."""
    import fnmatch

    if not patterns:
        return True
    for pattern in patterns:
        if kind == pattern or kind.split("::", 1)[0] == pattern:
            return True
        if fnmatch.fnmatchcase(kind, pattern):
            return True
    return False


def format_time(time_us: int, iso: bool = False) -> str:
    seconds = time_us / 1_000_000
    if iso:
        from datetime import UTC, datetime

        return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")
    return time.strftime("%H:%M:%S", time.localtime(seconds)) + f".{time_us // 1000 % 1000:03d}"


def format_details(details: Mapping[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in details.items() if k != "duration_us")


def event_json(event: Event) -> dict[str, Any]:
    return {"id": event.id, "time_us": event.time_us, "time": format_time(event.time_us, iso=True),
            "type": event.type, "details": dict(event.details)}  # fmt: skip


def event_tsv(event: Event) -> str:
    """One event for a pipe: id, ISO time, type, details, tab-separated."""
    stamp = format_time(event.time_us, iso=True)
    return f"{event.id}\t{stamp}\t{event.type}\t{format_details(event.details)}"


def print_events(out: Output, events: Sequence[Event]) -> None:
    if not out.is_tty:
        for event in events:
            out.line(event_tsv(event))
        return
    columns = [Column("ID", "dim", "right"), Column("TIME", "dim"), Column("TYPE", "cyan"),
               Column("DETAILS")]  # fmt: skip
    rows = [[str(e.id), format_time(e.time_us), e.type, format_details(e.details)] for e in events]
    out.table(columns, rows)


def print_event_line(out: Output, event: Event) -> None:
    """One event as `events --follow` prints it, flushed at once."""
    if out.as_json:
        import json

        out.line(json.dumps(event_json(event)))
    elif out.is_tty:
        head = f"{event.id:>6} {format_time(event.time_us)}"
        rest = format_details(event.details)
        if out.color:
            from rich.markup import escape

            out.console.print(f"[dim]{head}[/] [cyan]{event.type}[/] {escape(rest)}",
                              highlight=False)  # fmt: skip
        else:
            out.line(f"{head} {event.type} {rest}")
    else:
        out.line(event_tsv(event))
    out.stream.flush()


def duration(us: int) -> str:
    """A call's duration for people: `0.4 ms`, `18 ms`."""
    return f"{us / 1000:.1f} ms" if us < 10_000 else f"{us / 1000:.0f} ms"


def switch_summary(label: str, event: Event | None) -> str:
    """One line after a switch, clear or assign, from the service's own counts: e.g.
    `web: showed 3, hid 2 (18 ms)`. Without its event (none was recorded), no counts."""
    if event is None:
        return f"{label}: done"
    details = event.details
    shown, hidden = int(details.get("shown", 0)), int(details.get("hidden", 0))
    took = duration(int(details.get("duration_us", 0)))
    return f"{label}: showed {shown}, hid {hidden} ({took})"
