"""The subcommands: each takes the parsed arguments and returns an exit code.

One-shot commands use the blocking jeepney Client; watch and monitor import their
asyncio modules only when chosen.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..dbus import names
from . import screens
from .client import Client
from .errors import ERROR, INVALID, OK, CliError
from .output import Column, Output

SCRATCHPAD = "__i3_scratch"
CLEAR_ENTRY = "[clear]"
LAUNCHERS = (("rofi", "rofi -dmenu -i -p project"), ("dmenu", "dmenu -i -p project"))


def run(args: argparse.Namespace) -> int:
    handler = HANDLERS[args.command]
    if args.command in ("watch", "monitor", "completion"):
        return handler(args, None)
    with Client(timeout=args.timeout) as client:
        return handler(args, client)


# -- helpers --------------------------------------------------------------------------


def find_project(state: Mapping[str, Any], name: str) -> dict[str, Any]:
    for project in state.get("projects", []):
        if project.get("name") == name:
            found: dict[str, Any] = project
            return found
    raise CliError(
        f"no project named {name!r} [NoSuchProject]", INVALID, names.ERROR_NO_SUCH_PROJECT
    )


def project_rows(state: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Projects with their window count and whether each is active."""
    active = state.get("active_project", "")
    counts: dict[str, int] = {}
    for window in state.get("windows", []):
        if window.get("project"):
            counts[window["project"]] = counts.get(window["project"], 0) + 1
    return [
        {
            "name": p.get("name", ""),
            "display_name": p.get("display_name", ""),
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
    columns = [
        Column("ID", "cyan", "right"), Column("CLASS", "green"), Column("TITLE"),
        Column("WORKSPACE", "yellow"), Column("PROJECT", "magenta"), Column("SCOPE"),
        Column("STATE"),
    ]  # fmt: skip
    rows = [
        [
            str(w.get("id", "")),
            str(w.get("class", "")),
            str(w.get("title", "")),
            "(hidden)"
            if w.get("workspace") == SCRATCHPAD and out.is_tty
            else w.get("workspace", ""),
            str(w.get("project", "")) or ("-" if out.is_tty else ""),
            str(w.get("scope", "")),
            window_flags(w),
        ]
        for w in windows
    ]
    styles = ["dim" if w.get("hidden") else "bold" if w.get("focused") else "" for w in windows]
    out.table(columns, rows, title=title, row_styles=styles)


# -- query commands -------------------------------------------------------------------


def cmd_list(args: argparse.Namespace, client: Client) -> int:
    out = Output(as_json=args.json)
    rows = project_rows(client.state())
    if args.json:
        out.json(rows)
    elif args.names:
        for row in rows:
            out.line(row["name"])
    elif not rows and out.is_tty:
        out.message("[dim]No projects. Create one with[/] i3project create NAME", "")
    else:
        columns = [
            Column(""), Column("NAME", "cyan"), Column("DISPLAY NAME"), Column("ICON"),
            Column("WINDOWS", justify="right"), Column("DIRECTORY", "dim"),
        ]  # fmt: skip
        table = [
            ["*" if r["active"] else ("" if out.is_tty else "-"), r["name"], r["display_name"],
             r["icon"], str(r["windows"]), r["directory"]]
            for r in rows
        ]  # fmt: skip
        out.table(columns, table, row_styles=["bold green" if r["active"] else "" for r in rows])
    return OK


def cmd_current(args: argparse.Namespace, client: Client) -> int:
    out = Output(as_json=args.json)
    if args.json:
        state = client.state()
        active = state.get("active_project", "")
        project = next((p for p in project_rows(state) if p["name"] == active), None)
        out.json({"active_project": active, "project": project})
        return OK
    active = client.active()
    if out.is_tty:
        out.message(f"[bold green]{active}[/]" if active else "[dim]no active project[/]", active)
    else:
        out.line(active)
    return OK


def cmd_show(args: argparse.Namespace, client: Client) -> int:
    out = Output(as_json=args.json)
    client.manager("GetProject", "s", args.name)  # the service's own error for a bad name
    state = client.state()
    project = next(p for p in project_rows(state) if p["name"] == args.name)
    windows = [w for w in state.get("windows", []) if w.get("project") == args.name]
    if args.json:
        out.json({**project, "windows": windows})
        return OK
    fields = [
        ("name", project["name"]), ("display name", project["display_name"]),
        ("icon", project["icon"]), ("directory", project["directory"]),
        ("scoped classes", " ".join(project["scoped_classes"])),
        ("active", "yes" if project["active"] else "no"),
        ("windows", str(project["windows"])), ("created", project["created"]),
        ("last active", project["last_active"]),
    ]  # fmt: skip
    out.table([Column("FIELD", "bold"), Column("VALUE")], [list(f) for f in fields])
    if windows and out.is_tty:
        print_windows(out, windows, title="Windows")
    return OK


def cmd_windows(args: argparse.Namespace, client: Client) -> int:
    out = Output(as_json=args.json)
    state = client.state()
    windows: list[dict[str, Any]] = list(state.get("windows", []))
    if args.project is not None:
        if args.project:
            find_project(state, args.project)
        windows = [w for w in windows if w.get("project") == args.project]
    if args.json:
        out.json(windows)
    else:
        print_windows(out, windows)
    return OK


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


def event_json(event: tuple[int, int, str, Mapping[str, Any]]) -> dict[str, Any]:
    event_id, time_us, kind, details = event
    return {"id": event_id, "time_us": time_us, "time": format_time(time_us, iso=True),
            "type": kind, "details": dict(details)}  # fmt: skip


def format_time(time_us: int, iso: bool = False) -> str:
    seconds = time_us / 1_000_000
    if iso:
        from datetime import UTC, datetime

        return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")
    return time.strftime("%H:%M:%S", time.localtime(seconds)) + f".{time_us // 1000 % 1000:03d}"


def format_details(details: Mapping[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in details.items() if k != "duration_us")


def print_events(out: Output, events: Sequence[tuple[int, int, str, Mapping[str, Any]]]) -> None:
    if not out.is_tty:
        for e in events:
            out.line(f"{e[0]}\t{format_time(e[1], iso=True)}\t{e[2]}\t{format_details(e[3])}")
        return
    columns = [Column("ID", "dim", "right"), Column("TIME", "dim"), Column("TYPE", "cyan"),
               Column("DETAILS")]  # fmt: skip
    rows = [[str(e[0]), format_time(e[1]), e[2], format_details(e[3])] for e in events]
    out.table(columns, rows)


def cmd_events(args: argparse.Namespace, client: Client) -> int:
    if args.limit < 0:
        raise CliError("--limit must be 0 or more", INVALID)
    out = Output(as_json=args.json)
    if args.follow:
        from .follow import follow_events

        return follow_events(client, out, args.limit, lambda k: event_matches(k, args.types))
    events = [e for e in client.recent_events(0) if event_matches(e[2], args.types)]
    if args.limit:
        events = events[-args.limit :]
    if args.json:
        out.json([event_json(e) for e in events])
    else:
        print_events(out, events)
    return OK


def cmd_diagnose(args: argparse.Namespace, client: Client) -> int:
    from .diagnose import diagnose

    out = Output(as_json=args.json)
    state = client.state()
    tree = None
    if state.get("connected"):
        import json

        (text,) = client.manager("GetTree")
        tree = json.loads(text)
    objects = client.managed_objects()
    found = diagnose(state, objects, tree)
    if tree is not None:
        found += screens.check_outputs(screens.output_rows(objects), screens.reassign(client, True))
    if args.json:
        out.json({
            "ok": not found,
            "active_project": state.get("active_project", ""),
            "windows": len(state.get("windows", [])),
            "projects": len(state.get("projects", [])),
            "mismatches": [m.to_json() for m in found],
        })  # fmt: skip
    elif not found:
        summary = (
            f"no mismatches: {len(state.get('windows', []))} windows,"
            f" {len(state.get('projects', []))} projects checked"
        )
        out.message(f"[green]✓[/] {summary}", summary)
    else:
        out.table(
            [Column("KIND", "red"), Column("WINDOW", "cyan", "right"), Column("PROBLEM")],
            [[m.kind, str(m.window or ""), m.message] for m in found],
            title=f"{len(found)} mismatch(es)",
        )
    return ERROR if found else OK


# -- actions ---------------------------------------------------------------------------


def cmd_switch(args: argparse.Namespace, client: Client) -> int:
    client.switch(args.name)
    return OK


def cmd_clear(args: argparse.Namespace, client: Client) -> int:
    client.clear()
    return OK


def cmd_reload(args: argparse.Namespace, client: Client) -> int:
    client.reload()
    return OK


def cmd_create(args: argparse.Namespace, client: Client) -> int:
    options: dict[str, str | Sequence[str]] = {}
    for key, value in (
        ("display_name", args.display_name),
        ("icon", args.icon),
        ("directory", args.directory),
        ("scoped_classes", args.scoped),
    ):
        if value is not None:
            options[key] = (
                os.path.abspath(os.path.expanduser(value)) if key == "directory" else value
            )
    path = client.create(args.name, options)
    out = Output(as_json=args.json)
    if args.json:
        out.json({"name": args.name, "path": path})
    else:
        out.message(f"created project [bold cyan]{args.name}[/] ({path})", path)
    return OK


def cmd_delete(args: argparse.Namespace, client: Client) -> int:
    client.delete(args.name)
    return OK


def resolve_window(client: Client, spec: str) -> int:
    """A container id from an id, an X11 id (0x...), or 'focused'."""
    if spec.isdigit():
        return int(spec)
    windows = client.state().get("windows", [])
    if spec == "focused":
        match = [w for w in windows if w.get("focused")]
    elif spec.lower().startswith("0x"):
        try:
            xid = int(spec, 16)
        except ValueError:
            raise CliError(f"not a window: {spec!r}", INVALID) from None
        match = [w for w in windows if w.get("x11_id") == xid]
    else:
        raise CliError(f"not a window: {spec!r} (a container id, 0xX11ID or 'focused')", INVALID)
    if not match:
        raise CliError(
            f"no window matches {spec!r} [NoSuchWindow]", INVALID, names.ERROR_NO_SUCH_WINDOW
        )
    return int(match[0]["id"])


def cmd_assign(args: argparse.Namespace, client: Client) -> int:
    project = "" if args.project in ("", "-") else args.project
    client.assign(resolve_window(client, args.window), project)
    return OK


# -- menu ------------------------------------------------------------------------------


def menu_lines(state: Mapping[str, Any]) -> list[str]:
    """One line per project (the name first, so the choice parses), and a clear entry."""
    lines = []
    for row in project_rows(state):
        title = row["display_name"] or row["name"]
        icon = f"{row['icon']} " if row["icon"] else ""
        active = "  (active)" if row["active"] else ""
        lines.append(f"{row['name']}  {icon}{title}{active}")
    if state.get("active_project"):
        lines.append(f"{CLEAR_ENTRY}  show every window")
    return lines


def default_launcher(which: Callable[[str], str | None] | None = None) -> str:
    import shutil

    which = which or shutil.which
    configured = os.environ.get("I3PROJECT_MENU", "")
    if configured:
        return configured
    for binary, command in LAUNCHERS:
        if which(binary):
            return command
    raise CliError("no menu program: install rofi or dmenu, or pass --launcher CMD", ERROR)


def cmd_menu(args: argparse.Namespace, client: Client) -> int:
    import shlex
    import subprocess

    lines = menu_lines(client.state())
    if args.print_only:
        for line in lines:
            sys.stdout.write(line + "\n")
        return OK
    launcher = args.launcher or default_launcher()
    try:
        proc = subprocess.run(shlex.split(launcher), input="\n".join(lines) + "\n",
                              capture_output=True, text=True, check=False)  # fmt: skip
    except OSError as exc:
        raise CliError(f"cannot run the menu {launcher!r}: {exc}", ERROR) from None
    choice = proc.stdout.strip().split()
    if not choice:
        return OK  # cancelled (rofi and dmenu exit 1 on Escape)
    if choice[0] == CLEAR_ENTRY:
        client.clear()
    else:
        client.switch(choice[0])
    return OK


# -- long-running and offline ----------------------------------------------------------


def cmd_watch(args: argparse.Namespace, client: Client | None) -> int:
    from .watch import run as run_watch

    return run_watch(args.format, args.menu_command)


def cmd_monitor(args: argparse.Namespace, client: Client | None) -> int:
    if args.mode == "history":
        with Client(timeout=args.timeout) as blocking:
            events = blocking.recent_events(args.limit)
        print_events(Output(), events)
        return OK
    from .monitor import run as run_monitor

    return run_monitor(args.mode, args.limit)


def cmd_completion(args: argparse.Namespace, client: Client | None) -> int:
    from .completion import SCRIPTS

    sys.stdout.write(SCRIPTS[args.shell])
    return OK


HANDLERS: dict[str, Callable[[argparse.Namespace, Any], int]] = {
    "list": cmd_list,
    "current": cmd_current,
    "switch": cmd_switch,
    "clear": cmd_clear,
    "create": cmd_create,
    "delete": cmd_delete,
    "show": cmd_show,
    "windows": cmd_windows,
    "assign": cmd_assign,
    "events": cmd_events,
    "monitor": cmd_monitor,
    "watch": cmd_watch,
    "menu": cmd_menu,
    "diagnose": cmd_diagnose,
    "reload": cmd_reload,
    "completion": cmd_completion,
    **screens.HANDLERS,
}
