"""`i3project layout save|restore|list|show|delete [PROJECT] [SNAPSHOT]`: a project's layout
snapshots through the service; a restore prints what it did with each saved window."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ..dbus import names
from .errors import INVALID, OK, CliError
from .output import Column, Output

if TYPE_CHECKING:  # the parser imports this module, and needs no D-Bus client
    from .client import Client

ACTIONS = ("save", "restore", "list", "show", "delete")
DEFAULT_SNAPSHOT = "last"
# Seconds a restore may take beyond the time it gives relaunched windows to map.
RESTORE_MARGIN = 20.0


def add_parsers(sub: Any) -> None:
    """Add `layout` to the subcommand parsers (``sub`` from add_subparsers)."""
    p = sub.add_parser(
        "layout",
        help="save and restore where a project's windows are (snapshots)",
        description=(
            "Snapshots of a project's windows: workspaces, tiling, floating geometry and"
            " the commands that started them. PROJECT defaults to the active project,"
            f" SNAPSHOT to {DEFAULT_SNAPSHOT!r} (the one autosave keeps). `show` prints"
            " what a restore would do, without doing it."
        ),
    )
    p.add_argument("action", choices=ACTIONS)
    p.add_argument("project", nargs="?", metavar="PROJECT")
    p.add_argument("snapshot", nargs="?", metavar="SNAPSHOT")
    p.add_argument(
        "--dry-run", "-n", action="store_true", help="restore: print the plan, change nothing"
    )
    p.add_argument(
        "--no-launch", action="store_true", help="restore: move open windows, start nothing"
    )
    p.add_argument(
        "--wait", type=int, metavar="MS",
        help="restore: how long relaunched windows have to appear (default 10000)",
    )  # fmt: skip
    p.add_argument("--json", action="store_true", help="print JSON")


def _project_path(args: argparse.Namespace, client: Client) -> tuple[str, str]:
    name = args.project or client.active()
    if not name:
        raise CliError("no project is active: name one (i3project layout ACTION PROJECT)", INVALID)
    (path,) = client.manager("GetProject", "s", name)
    return name, str(path)


def _restore(args: argparse.Namespace, client: Client, path: str, dry_run: bool) -> list[Any]:
    options: dict[str, tuple[str, Any]] = {}
    if dry_run:
        options["dry_run"] = ("b", True)
    if args.no_launch:
        options["launch_missing"] = ("b", False)
    wait = 10_000
    if args.wait is not None:
        options["timeout"] = ("u", args.wait)
        wait = max(args.wait, 0)
    timeout = max(client.timeout, wait / 1000 + RESTORE_MARGIN)
    snapshot = args.snapshot or DEFAULT_SNAPSHOT
    body = (snapshot, options)
    (results,) = client.call(path, names.PROJECT_IFACE, "RestoreLayout", "sa{sv}", body,
                             timeout=timeout)  # fmt: skip
    return list(results)


def _print_results(out: Output, results: list[Any], planned: bool) -> None:
    rows = [{"window": str(r[0]), "action": str(r[1]), "reason": str(r[2])} for r in results]
    if out.as_json:
        out.json(rows)
        return
    if not rows and out.is_tty:
        out.message("[dim]The snapshot holds no window.[/]", "")
        return
    title = "What a restore would do" if planned and out.is_tty else ""
    columns = [Column("WINDOW", "cyan"), Column("ACTION"), Column("REASON", "dim")]
    styles = {"moved": "green", "launched": "yellow", "skipped": "dim"}
    out.table(
        columns,
        [[r["window"], r["action"], r["reason"]] for r in rows],
        title=title,
        row_styles=[styles.get(r["action"], "") for r in rows],
    )


def cmd_layout(args: argparse.Namespace, client: Client) -> int:
    out = Output(as_json=args.json)
    restoring = args.action in ("restore", "show")
    if not restoring and (args.dry_run or args.no_launch or args.wait is not None):
        raise CliError("--dry-run, --no-launch and --wait go with restore and show", INVALID)
    name, path = _project_path(args, client)
    snapshot = args.snapshot or DEFAULT_SNAPSHOT
    if args.action == "list":
        layouts = [str(n) for n in client.get_property(path, names.PROJECT_IFACE, "Layouts")]
        if out.as_json:
            out.json(layouts)
        elif not layouts and out.is_tty:
            out.message(f"[dim]{name} has no snapshot. Save one with[/] i3project layout save", "")
        else:
            for layout in layouts:
                out.line(layout)
    elif args.action == "save":
        client.call(path, names.PROJECT_IFACE, "SaveLayout", "s", (snapshot,))
    elif args.action == "delete":
        client.call(path, names.PROJECT_IFACE, "DeleteLayout", "s", (snapshot,))
    else:
        planned = args.action == "show" or args.dry_run
        _print_results(out, _restore(args, client, path, planned), planned)
    return OK
