"""`i3project outputs` and `i3project reassign`: the monitors the service sees, where
workspaces live, and the diagnose rules about them. D-Bus only, like the rest of cli/."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..dbus import names
from .client import Client
from .diagnose import Mismatch
from .errors import OK
from .output import Column, Output

Objects = Mapping[str, Mapping[str, Mapping[str, Any]]]


def output_rows(objects: Objects) -> list[dict[str, Any]]:
    """Every Output object as a plain record: active ones left to right, then the rest."""
    rows: list[dict[str, Any]] = []
    for ifaces in objects.values():
        props = ifaces.get(names.OUTPUT_IFACE)
        if props is None:
            continue
        rect = [int(v) for v in props.get("Rect", (0, 0, 0, 0))]
        rows.append(
            {
                "name": str(props.get("Name", "")),
                "active": bool(props.get("Active")),
                "primary": bool(props.get("Primary")),
                "rect": rect,
                "current_workspace": str(props.get("CurrentWorkspace", "")),
                "workspaces": [str(w) for w in props.get("Workspaces", [])],
                "make": str(props.get("Make", "")),
                "model": str(props.get("Model", "")),
                "serial": str(props.get("Serial", "")),
            }
        )
    rows.sort(key=lambda r: (not r["active"], r["rect"][0], r["rect"][1], r["name"]))
    return rows


def reassign(client: Client, dry_run: bool) -> list[tuple[str, str]]:
    (moves,) = client.manager("ReassignWorkspaces", "a{sv}", {"dry_run": ("b", dry_run)})
    return [(str(ws), str(output)) for ws, output in moves]


def check_outputs(
    rows: Sequence[Mapping[str, Any]], pending: Sequence[tuple[str, str]]
) -> list[Mismatch]:
    """Workspaces on an output that is not active, and workspaces the mapping (or their
    home output) would move: ``pending`` is what ReassignWorkspaces(dry_run) answers."""
    found = []
    for row in rows:
        if not row["active"]:
            for ws in row["workspaces"]:
                found.append(
                    Mismatch(
                        "workspace-on-inactive-output",
                        0,
                        f"workspace {ws!r} is on output {row['name']!r}, which is not active",
                    )
                )
    where = {ws: row["name"] for row in rows for ws in row["workspaces"]}
    for ws, output in pending:
        found.append(
            Mismatch(
                "workspace-away-from-output",
                0,
                f"workspace {ws!r} is on {where.get(ws, '?')!r} but belongs on active output"
                f" {output!r} (i3project reassign moves it)",
            )
        )
    return found


def _size(rect: Sequence[int]) -> str:
    return f"{rect[2]}x{rect[3]}+{rect[0]}+{rect[1]}"


def cmd_outputs(args: argparse.Namespace, client: Client) -> int:
    out = Output(as_json=args.json)
    rows = output_rows(client.managed_objects())
    if args.json:
        out.json(rows)
        return OK
    columns = [
        Column("OUTPUT", "cyan"), Column("ACTIVE"), Column("PRIMARY"), Column("GEOMETRY"),
        Column("SHOWS", "bold"), Column("WORKSPACES"), Column("MONITOR", "dim"),
    ]  # fmt: skip
    table = [
        [r["name"], "yes" if r["active"] else "no", "yes" if r["primary"] else "",
         _size(r["rect"]), r["current_workspace"], " ".join(r["workspaces"]),
         " ".join(p for p in (r["make"], r["model"], r["serial"]) if p)]
        for r in rows
    ]  # fmt: skip
    out.table(columns, table, row_styles=["" if r["active"] else "dim" for r in rows])
    return OK


def cmd_reassign(args: argparse.Namespace, client: Client) -> int:
    out = Output(as_json=args.json)
    moves = reassign(client, args.dry_run)
    if args.json:
        out.json({"dry_run": args.dry_run, "moves": [list(m) for m in moves]})
        return OK
    if not moves:
        out.message("[green]✓[/] every workspace is where it belongs", "no moves")
        return OK
    verb = "would move" if args.dry_run else "moved"
    for ws, output in moves:
        out.message(f"{verb} workspace [bold]{ws}[/] to [cyan]{output}[/]", f"{ws}\t{output}")
    return OK


def add_parsers(sub: Any, json_opt: argparse.ArgumentParser) -> None:
    """Register the subcommands (``sub`` is the main parser's subparsers action)."""
    sub.add_parser("outputs", parents=[json_opt], help="list outputs (monitors) and workspaces")
    p = sub.add_parser(
        "reassign", parents=[json_opt], help="move workspaces to their preferred outputs now"
    )
    p.add_argument("--dry-run", "-n", action="store_true", help="only print the moves")


HANDLERS: Mapping[str, Callable[[argparse.Namespace, Client], int]] = {
    "outputs": cmd_outputs,
    "reassign": cmd_reassign,
}
