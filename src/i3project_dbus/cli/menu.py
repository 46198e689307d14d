"""`i3project menu`: pick a project with a dmenu-like program and switch to it.

The polybar click and the rofi switcher run it where no terminal shows stderr, so a
menu program that is missing (or fails to start) is also said in a desktop
notification when a notification daemon is on the bus. Without one, the message goes
to stderr only, which the status bar may log.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

from .client import Client
from .errors import ERROR, OK, CliError
from .present import project_rows
from .terminal import stream_interactive

CLEAR_ENTRY = "[clear]"
LAUNCHERS = (("rofi", "rofi -dmenu -i -p project"), ("dmenu", "dmenu -i -p project"))
NO_MENU = "no menu program: install rofi or dmenu, set $I3PROJECT_MENU, or pass --launcher CMD"


def menu_lines(state: Mapping[str, Any]) -> list[str]:
    """One line per project (the name first, so the choice parses), and a clear entry."""
    lines = []
    for row in project_rows(state):
        icon = f"{row['icon']} " if row["icon"] else ""
        active = "  (active)" if row["active"] else ""
        lines.append(f"{row['name']}  {icon}{row['display_name']}{active}")
    if state.get("active_project"):
        lines.append(f"{CLEAR_ENTRY}  show every window")
    return lines


def default_launcher(which: Callable[[str], str | None] | None = None) -> str | None:
    """$I3PROJECT_MENU, else rofi, else dmenu; None when there is none of them."""
    import shutil

    which = which or shutil.which
    configured = os.environ.get("I3PROJECT_MENU", "")
    if configured:
        return configured
    for binary, command in LAUNCHERS:
        if which(binary):
            return command
    return None


def unusable(client: Client, message: str) -> CliError:
    """The error for a menu that cannot run; with nobody at a terminal to read stderr,
    also a desktop notification if a notification daemon takes it."""
    if not stream_interactive(sys.stderr):
        client.notify("i3project menu", message)
    return CliError(message, ERROR)


def launcher_argv(client: Client, launcher: str) -> list[str]:
    """The menu's command line, checked before the service is asked for anything."""
    import shlex
    import shutil

    try:
        argv = shlex.split(launcher)
    except ValueError as exc:
        raise unusable(client, f"cannot run the menu {launcher!r}: {exc}") from None
    if not argv or shutil.which(argv[0]) is None:
        raise unusable(client, f"cannot run the menu {launcher!r}: no such program")
    return argv


def cmd_menu(args: argparse.Namespace, client: Client) -> int:
    import subprocess

    if args.print_only:
        for line in menu_lines(client.state()):
            sys.stdout.write(line + "\n")
        return OK
    launcher = args.launcher or default_launcher()
    if launcher is None:
        raise unusable(client, NO_MENU)
    argv = launcher_argv(client, launcher)
    lines = menu_lines(client.state())
    try:
        proc = subprocess.run(argv, input="\n".join(lines) + "\n", capture_output=True,
                              text=True, check=False)  # fmt: skip
    except OSError as exc:
        raise unusable(client, f"cannot run the menu {launcher!r}: {exc}") from None
    choice = proc.stdout.strip().split()
    if not choice:
        return OK  # cancelled (rofi and dmenu exit 1 on Escape)
    if choice[0] == CLEAR_ENTRY:
        client.clear()
    else:
        client.switch(choice[0])
    return OK
