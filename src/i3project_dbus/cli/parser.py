"""The argparse parser of `i3project` (built only off the keypress path: see main.fast_path)."""

from __future__ import annotations

import argparse
import sys
from typing import Any, NoReturn

from . import screens
from .errors import INVALID
from .launch import add_parsers as add_launch_parsers
from .layout import add_parsers as add_layout_parsers

FORMAT_CHOICES = ("plain", "json", "i3blocks", "polybar", "waybar")
MONITOR_MODES = ("live", "events", "history", "diagnose")

# Seconds to wait for the service. A switch is bound to a key, so a hung service must
# not hold it long; a query may wait for D-Bus activation on a loaded desktop.
CALL_TIMEOUT = 25.0
KEYPRESS_TIMEOUT = 5.0  # switch and clear; cli/wire.py has the same default
KEYPRESS_COMMANDS = frozenset({"switch", "clear"})

EPILOG = """\
exit codes: 0 ok, 1 error, 2 service unreachable, 3 invalid input.
Scripts get plain tab-separated output when stdout is not a terminal, and --json on
every query command. NO_COLOR turns colour off.
"""


def seconds(text: str) -> float:
    """A positive number of seconds (0 or less would give up before asking)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


class Parser(argparse.ArgumentParser):
    """argparse exits 2 on a usage error; 2 means "service unreachable" here, so use 3."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(INVALID, f"{self.prog}: error: {message}\n")


def timeout_for(args: argparse.Namespace) -> float:
    """--timeout, else the default of the command."""
    if args.timeout is not None:
        return float(args.timeout)
    return KEYPRESS_TIMEOUT if args.command in KEYPRESS_COMMANDS else CALL_TIMEOUT


def add_snapshot_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--output", "-o", metavar="FILE", help="write a JSON snapshot to FILE (for a bug report)"
    )
    p.add_argument("--no-tree", action="store_true", help="leave i3's tree out of the snapshot")
    p.add_argument("--no-events", action="store_true", help="leave the events out of the snapshot")
    p.add_argument(
        "--event-limit", type=int, default=0, metavar="N",
        help="the newest N events in the snapshot (default 0: all the service keeps)",
    )  # fmt: skip
    p.add_argument(
        "--compare", nargs=2, metavar=("A", "B"),
        help="print what changed between two snapshots (exit 1 if anything did)",
    )  # fmt: skip


def add_selftest_parser(sub: Any) -> None:
    p = sub.add_parser(
        "selftest", help="run scenarios against the live service (safe on your session)"
    )
    p.add_argument("scenarios", nargs="*", metavar="SCENARIO", help="only these (see --list)")
    p.add_argument("--list", action="store_true", help="list the scenarios and exit")
    p.add_argument("--format", "-f", choices=("terminal", "json", "tap"), default="terminal")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    p.add_argument("--keep-going", "-k", action="store_true", help="run the rest after a failure")
    p.add_argument(
        "--include-restart", action="store_true", help="also restart i3 in place and time it"
    )


def build_parser() -> Parser:
    parser = Parser(
        prog="i3project",
        description="Switch and manage i3/sway projects through the i3project D-Bus service.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument(
        "--timeout", type=seconds, default=None, metavar="SECONDS",
        help=f"how long to wait for the service to answer (default: {KEYPRESS_TIMEOUT:g} for"
             f" switch and clear, {CALL_TIMEOUT:g} otherwise)",
    )  # fmt: skip
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    json_opt = Parser(add_help=False)
    json_opt.add_argument("--json", action="store_true", help="print JSON")
    quiet_opt = Parser(add_help=False)
    quiet_opt.add_argument(
        "--quiet", "-q", action="store_true",
        help="print nothing (on a terminal it prints what the service did; piped, nothing)",
    )  # fmt: skip

    p = sub.add_parser("list", parents=[json_opt], help="list projects")
    p.add_argument("--names", action="store_true", help="print project names only")
    sub.add_parser("current", parents=[json_opt], help="print the active project")
    p = sub.add_parser("switch", parents=[quiet_opt],
                       help="switch to a project (hides the other projects' windows)")  # fmt: skip
    p.add_argument("name", metavar="NAME")
    sub.add_parser("clear", parents=[quiet_opt],
                   help="clear the active project (shows every window)")  # fmt: skip
    p = sub.add_parser("create", parents=[json_opt], help="create a project")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--directory", "-d", metavar="D", help="the project's directory")
    p.add_argument("--icon", "-i", metavar="I", help="an icon (a glyph or an icon name)")
    p.add_argument("--display-name", "-t", metavar="T", help="a human title")
    p.add_argument(
        "--scoped", action="append", metavar="CLASS", default=None,
        help="a window class scoped to this project, beyond the global configuration"
             " (repeat it for more than one)",
    )  # fmt: skip
    p = sub.add_parser("delete", help="delete a project (its windows stay open, unassigned)")
    p.add_argument("name", metavar="NAME")
    p = sub.add_parser("show", parents=[json_opt], help="show a project and its windows")
    p.add_argument("name", metavar="NAME")
    p = sub.add_parser("windows", parents=[json_opt], help="list windows")
    p.add_argument("--project", "-p", metavar="P", help="only the windows of project P")
    p = sub.add_parser("assign", parents=[quiet_opt],
                       help="assign a window to a project ('' removes it)")  # fmt: skip
    p.add_argument("window", metavar="WINDOW", help="a container id, 0xX11ID, or 'focused'")
    p.add_argument("project", metavar="PROJECT")
    p = sub.add_parser("events", parents=[json_opt], help="show recent events")
    p.add_argument(
        "--limit", "-n", type=int, default=20, metavar="N", help="how many (default 20; 0 for all)"
    )
    p.add_argument(
        "--type",
        "-t",
        dest="types",
        action="append",
        metavar="T",
        help="only events of type T: 'project::switch', 'window' or a glob",
    )
    p.add_argument("--follow", "-f", action="store_true", help="keep printing new events")
    p = sub.add_parser("monitor", help="live dashboard of projects, windows and events")
    p.add_argument("--mode", "-m", choices=MONITOR_MODES, default="live")
    p.add_argument(
        "--limit", "-n", type=int, default=30, metavar="N", help="events to show (default 30)"
    )
    p = sub.add_parser("watch", help="print the state now and on every change (status bars)")
    p.add_argument("--format", "-f", choices=FORMAT_CHOICES, default="plain")
    p.add_argument(
        "--menu-command",
        default="i3project menu",
        metavar="CMD",
        help="the click action in polybar output (default: i3project menu)",
    )
    p = sub.add_parser("menu", help="pick a project with rofi or dmenu and switch to it")
    p.add_argument(
        "--launcher",
        "-l",
        metavar="CMD",
        help="a dmenu-like command (default: $I3PROJECT_MENU, rofi, then dmenu)",
    )
    p.add_argument(
        "--print", dest="print_only", action="store_true", help="print the menu lines and exit"
    )
    p = sub.add_parser(
        "diagnose", parents=[json_opt], help="find windows that are not where their project says"
    )
    add_snapshot_options(p)
    sub.add_parser("reload", help="make the service re-read its configuration files")
    add_selftest_parser(sub)
    sub.add_parser("status", parents=[json_opt], help="the service's uptime, counters and memory")
    p = sub.add_parser(
        "edit", help="edit a project's file in $VISUAL/$EDITOR, then check it and reload"
    )
    p.add_argument("name", metavar="NAME")
    p = sub.add_parser(
        "validate",
        parents=[json_opt],
        help="check the project files and config.json (exit 3 if invalid)",
    )
    p.add_argument("name", nargs="?", metavar="NAME", help="only this project's file")
    add_launch_parsers(sub)
    screens.add_parsers(sub, json_opt)
    add_layout_parsers(sub)
    p = sub.add_parser("completion", help="print a shell completion script")
    p.add_argument("shell", choices=("bash", "zsh"))
    return parser
