"""`i3project run` and `i3project open`: start apps in a project through the service, which
runs them in the project's directory and environment and makes their windows follow."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from ..dbus import names
from .errors import INVALID, OK, CliError

if TYPE_CHECKING:  # the parser imports this module, and needs no D-Bus client
    from .client import Client

RUN_USAGE = "i3project run [-p NAME] [--workspace WS] [--floating] -- CMD [ARG...]"


def add_parsers(sub: Any) -> None:
    """Add `run` and `open` to the subcommand parsers (``sub`` from add_subparsers)."""
    p = sub.add_parser(
        "run",
        usage=RUN_USAGE,
        help="run a program in a project: its directory, its environment, its windows",
        description=(
            "Run CMD (no shell: write `sh -c '...'` for one) in the project's directory"
            " with its environment. Its windows, and those of anything it starts, are"
            " assigned to the project, even when another one is active."
        ),
    )
    p.add_argument(
        "--project", "-p", metavar="NAME",
        help="the project (default: the active one; with none active, no project)",
    )  # fmt: skip
    p.add_argument("--workspace", "-w", metavar="WS", help="put its windows on workspace WS")
    p.add_argument("--floating", action="store_true", help="make its windows float")
    p.add_argument("argv", nargs=argparse.REMAINDER, metavar="-- CMD ...", help="what to run")
    p = sub.add_parser(
        "open", help="switch to a project and start those of its apps that are not running"
    )
    p.add_argument("name", metavar="NAME")


def _argv(args: argparse.Namespace) -> list[str]:
    argv = list(args.argv)
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        raise CliError(f"nothing to run; usage: {RUN_USAGE}", INVALID)
    return argv


def cmd_run(args: argparse.Namespace, client: Client) -> int:
    """Launch; print the pid of what was started (for scripts)."""
    argv = _argv(args)
    options: dict[str, tuple[str, Any]] = {}
    if args.workspace is not None:
        options["workspace"] = ("s", args.workspace)
    if args.floating:
        options["floating"] = ("b", True)
    if args.project is not None:
        (path,) = client.manager("GetProject", "s", args.project)
        body = (argv, options)
        (pid,) = client.call(path, names.PROJECT_IFACE, "Launch", "asa{sv}", body)
    else:
        (pid,) = client.manager("Launch", "asa{sv}", argv, options)
    sys.stdout.write(f"{pid}\n")
    return OK


def cmd_open(args: argparse.Namespace, client: Client) -> int:
    (path,) = client.manager("GetProject", "s", args.name)
    client.call(path, names.PROJECT_IFACE, "Open")
    return OK
