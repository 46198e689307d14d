"""`i3project diagnose --output FILE`: one versioned JSON snapshot to attach to a bug report.

Everything in it comes through the service over D-Bus (the CLI never talks to i3): the
service's version and status, GetState, the recent events, i3's tree, workspaces,
outputs and marks (GetTree, GetI3State), the configuration errors and the mismatches
`diagnose` finds. A part the service cannot give (i3 is not connected; an older service
without the method) is recorded as {"error": "..."} rather than failing the snapshot.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from ..dbus import names
from .client import Client, unwrap
from .errors import INVALID, UNREACHABLE, CliError

FORMAT = "i3project-diagnose-snapshot"
VERSION = 1
T = TypeVar("T")


def _part(fetch: Callable[[], T]) -> T | dict[str, str]:
    """One part of the snapshot, or what kept the service from giving it."""
    try:
        return fetch()
    except CliError as exc:
        if exc.code == UNREACHABLE:
            raise
        return {"error": exc.message}


def _i3(client: Client, with_tree: bool) -> dict[str, Any]:
    (text,) = client.manager("GetI3State")
    data: dict[str, Any] = json.loads(text)
    if with_tree:
        (tree,) = client.manager("GetTree")
        data["tree"] = json.loads(tree)
    return data


def _events(client: Client, limit: int) -> dict[str, Any]:
    from .present import event_json

    events = client.recent_events(limit)
    count = client.get_property(names.EVENTS_PATH, names.EVENTS_IFACE, "Count")
    capacity = client.get_property(names.EVENTS_PATH, names.EVENTS_IFACE, "Capacity")
    return {
        "count": int(count),
        "capacity": int(capacity),
        "recent": [event_json(e) for e in events],
    }


def take(client: Client, tree: bool = True, events: bool = True, limit: int = 0) -> dict[str, Any]:
    """A snapshot of the service and i3 as the service sees them now."""
    from .. import __version__
    from .diagnose import diagnose

    taken_us = time.time_ns() // 1000
    state = client.state()
    status = _part(lambda: unwrap(client.manager("GetStatus")[0]))
    i3 = (
        _part(lambda: _i3(client, tree))
        if state.get("connected")
        else {"error": "the service is not connected to i3"}
    )
    i3_tree = i3.get("tree")
    found = diagnose(
        state, client.managed_objects(), i3_tree if isinstance(i3_tree, dict) else None
    )
    snapshot: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "taken_at": datetime.fromtimestamp(taken_us / 1e6, UTC).isoformat(timespec="milliseconds"),
        "taken_us": taken_us,
        "cli_version": __version__,
        "service": {"version": state.get("version", ""), "status": status},
        "state": state,
        "config_errors": list(state.get("config_errors", [])),
        "i3": i3,
        "mismatches": [m.to_json() for m in found],
    }
    if events:
        snapshot["events"] = _part(lambda: _events(client, limit))
    return snapshot


def write(path: str, snapshot: Mapping[str, Any]) -> None:
    from ..config import atomic_write

    text = json.dumps(snapshot, indent=2, ensure_ascii=False) + "\n"
    try:
        atomic_write(Path(path), text.encode())
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc}") from None


def load(path: str) -> dict[str, Any]:
    """A snapshot written by `diagnose --output`; INVALID for anything else."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}", INVALID) from None
    except ValueError as exc:
        raise CliError(f"{path} is not JSON: {exc}", INVALID) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CliError(f"{path} is not a snapshot of `i3project diagnose --output`", INVALID)
    if data.get("version") != VERSION:
        raise CliError(
            f"{path} is a version {data.get('version')} snapshot; this i3project reads"
            f" version {VERSION}",
            INVALID,
        )
    return data


def run(args: Any, client: Client) -> int:
    """`diagnose --output FILE` or `diagnose --compare A B`."""
    from .compare import compare, differs, rows
    from .errors import ERROR, OK
    from .output import Column, Output

    out = Output(as_json=args.json)
    if args.compare:
        if args.output:
            raise CliError("--compare and --output do not go together", INVALID)
        diff = compare(load(args.compare[0]), load(args.compare[1]))
        if args.json:
            out.json(diff)
        else:
            title = f"{args.compare[0]} -> {args.compare[1]} ({diff['seconds']:g} s)"
            columns = [Column("CHANGE", "cyan"), Column("WHAT"), Column("DETAIL", "dim")]
            out.table(columns, rows(diff), title=title)
        return ERROR if differs(diff) else OK
    if args.event_limit < 0:
        raise CliError("--event-limit must be 0 or more", INVALID)
    snapshot = take(client, not args.no_tree, not args.no_events, args.event_limit)
    write(args.output, snapshot)
    events = snapshot.get("events", {}).get("recent", [])
    summary = (
        f"wrote {args.output}: {len(snapshot['state'].get('windows', []))} windows,"
        f" {len(snapshot['state'].get('projects', []))} projects, {len(events)} events,"
        f" {len(snapshot['mismatches'])} mismatch(es)"
    )
    if args.json:
        out.json({"path": args.output, "mismatches": snapshot["mismatches"]})
    else:
        out.message(summary, summary)
    return OK
