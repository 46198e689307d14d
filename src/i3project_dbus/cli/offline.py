"""The subcommands that run long (watch, monitor, selftest) or mostly without the service
(edit, validate, completion): each imports its module only when it is chosen, so the
commands a key binding runs never pay for them."""

from __future__ import annotations

import argparse
import sys

from .client import Client
from .errors import OK
from .output import Output
from .parser import timeout_for
from .present import print_events


def cmd_watch(args: argparse.Namespace, client: Client | None) -> int:
    from .watch import run as run_watch

    return run_watch(args.format, args.menu_command)


def cmd_monitor(args: argparse.Namespace, client: Client | None) -> int:
    if args.mode == "history":
        with Client(timeout=timeout_for(args)) as blocking:
            events = blocking.recent_events(args.limit)
        print_events(Output(), events)
        return OK
    from .monitor import run as run_monitor

    return run_monitor(args.mode, args.limit)


def cmd_status(args: argparse.Namespace, client: Client) -> int:
    from .status import run as run_status

    return run_status(args, client)


def cmd_edit(args: argparse.Namespace, client: Client | None) -> int:
    from .edit import run as run_edit

    return run_edit(args)


def cmd_validate(args: argparse.Namespace, client: Client | None) -> int:
    from .validate import run as run_validate

    return run_validate(args)


def cmd_selftest(args: argparse.Namespace, client: Client | None) -> int:
    from .selftest import run as run_selftest

    return run_selftest(args)


def cmd_completion(args: argparse.Namespace, client: Client | None) -> int:
    from .completion import SCRIPTS

    sys.stdout.write(SCRIPTS[args.shell])
    return OK
