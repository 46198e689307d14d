"""The subcommands: each takes the parsed arguments and returns an exit code.

They use the blocking jeepney Client; watch and monitor import their asyncio modules
only when chosen. The keypress path (`switch NAME`, `clear` in a key binding) does not
come here: main.fast_path sends it through cli/wire.py.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..dbus import names
from . import screens
from .client import Client
from .errors import ERROR, INVALID, OK, CliError
from .launch import cmd_open, cmd_run
from .layout import cmd_layout
from .menu import cmd_menu
from .offline import (
    cmd_completion,
    cmd_edit,
    cmd_monitor,
    cmd_selftest,
    cmd_status,
    cmd_validate,
    cmd_watch,
)
from .output import Column, Output
from .parser import timeout_for
from .present import (
    Event,
    event_json,
    event_matches,
    print_events,
    print_windows,
    project_rows,
    switch_summary,
)

# How many of the newest events to read for the line a switch prints on a terminal.
SUMMARY_EVENTS = 64


def run(args: argparse.Namespace) -> int:
    handler = HANDLERS[args.command]
    if args.command in ("watch", "monitor", "completion", "selftest", "edit", "validate"):
        return handler(args, None)
    with Client(timeout=timeout_for(args)) as client:
        return handler(args, client)


def find_project(state: Mapping[str, Any], name: str) -> dict[str, Any]:
    for project in state.get("projects", []):
        if project.get("name") == name:
            found: dict[str, Any] = project
            return found
    raise CliError(
        f"no project named {name!r} [NoSuchProject]", INVALID, names.ERROR_NO_SUCH_PROJECT
    )


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
        out.message(f"[bold green]{active}[/]" if active else "[dim]no project[/]", active)
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


def cmd_events(args: argparse.Namespace, client: Client) -> int:
    if args.limit < 0:
        raise CliError("--limit must be 0 or more", INVALID)
    out = Output(as_json=args.json)
    if args.follow:
        from .follow import follow_events

        return follow_events(client, out, args.limit, lambda k: event_matches(k, args.types))
    events = [e for e in client.recent_events(0) if event_matches(e.type, args.types)]
    if args.limit:
        events = events[-args.limit :]
    if args.json:
        out.json([event_json(e) for e in events])
    else:
        print_events(out, events)
    return OK


def cmd_diagnose(args: argparse.Namespace, client: Client) -> int:
    if args.output or args.compare:
        from .snapshot import run as run_snapshot

        return run_snapshot(args, client)
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


def acted(args: argparse.Namespace, client: Client, act: Callable[[], None],
          label: str, matches: Callable[[Event], bool]) -> None:  # fmt: skip
    """Run `act`; for a person at a terminal, then print one line with the service's
    own counts, read from the event it recorded (one past the count read before)."""
    if args.quiet or not args.interactive:
        act()
        return
    before = client.event_count()
    act()
    newer = [e for e in client.recent_events(SUMMARY_EVENTS) if e.id > before and matches(e)]
    Output().line(switch_summary(label, newer[-1] if newer else None))


# The matchers import the model's event types when they first run: a person at a
# terminal waits for them, a script does not.


def cmd_switch(args: argparse.Namespace, client: Client) -> int:
    def matches(event: Event) -> bool:
        from ..model.events import PROJECT_SWITCH

        return event.type == PROJECT_SWITCH and event.details.get("current") == args.name

    acted(args, client, lambda: client.switch(args.name), args.name, matches)
    return OK


def cmd_clear(args: argparse.Namespace, client: Client) -> int:
    def matches(event: Event) -> bool:
        from ..model.events import PROJECT_CLEAR

        return event.type == PROJECT_CLEAR and event.details.get("origin") != "assign"

    acted(args, client, client.clear, "no project", matches)
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
    con_id = resolve_window(client, args.window)

    def matches(event: Event) -> bool:
        # The switch the service makes after an assignment, to hide or show the window.
        return event.details.get("origin") == "assign"

    label = f"window {con_id} " + (f"assigned to {project}" if project else "unassigned")
    acted(args, client, lambda: client.assign(con_id, project), label, matches)
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
    "selftest": cmd_selftest,
    "edit": cmd_edit,
    "status": cmd_status,
    "validate": cmd_validate,
    "run": cmd_run,
    "open": cmd_open,
    **screens.HANDLERS,
    "layout": cmd_layout,
}
