"""`i3project-dbus install` and `uninstall`: the D-Bus activation file and the systemd user unit.

For pip and pipx users, who get no files outside site-packages. The two templates ship
as package data (src/i3project_dbus/data/, byte-identical copies of the top-level data/
that a unit test compares) and get their ``Exec=`` from the entry point that is running.
Both commands are idempotent, touch only the two files, and never follow or replace a
symlink (home-manager and distribution packages install these files as symlinks).

This is command-line output, so it writes to stdout/stderr rather than logging.
"""

import argparse
import os
import re
import shutil
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TextIO

from . import config
from .dbus.names import BUS_NAME

PLACEHOLDER = "@EXEC@"
ENTRY_POINT = "i3project-dbus"
UNIT_NAME = "i3project-dbus.service"
DBUS_SERVICE_NAME = f"{BUS_NAME}.service"
# Paths of the templates under data/ (top level) and i3project_dbus/data/ (package).
DBUS_TEMPLATE = ("dbus-1", "services", DBUS_SERVICE_NAME)
UNIT_TEMPLATE = ("systemd", "user", UNIT_NAME)
FILE_MODE = 0o644


# -- rendering ----------------------------------------------------------------------


def _say(text: str, file: TextIO) -> None:
    """One line of the command's report (stdout or stderr, as the caller says)."""
    file.write(f"{text}\n")


def resolve_exec(
    argv0: str | None = None,
    which: Callable[[str], str | None] = shutil.which,
    executable: str | None = None,
) -> list[str]:
    """Return the command that starts the service, as an argument vector.

    The running entry point comes first (``sys.argv[0]`` when it is ``i3project-dbus``):
    it is the installation the user is installing, where ``which`` might find another
    one earlier on $PATH. The path is made absolute but symlinks are kept, so a pipx
    shim in ~/.local/bin survives reinstalls. Then the entry point on $PATH, then
    ``python -m i3project_dbus`` with this interpreter.
    """
    argv0 = sys.argv[0] if argv0 is None else argv0
    if argv0 and Path(argv0).name == ENTRY_POINT and _is_executable(argv0):
        return [os.path.abspath(argv0)]
    found = which(ENTRY_POINT)
    if found and _is_executable(found):
        return [os.path.abspath(found)]
    return [executable or sys.executable, "-m", "i3project_dbus"]


def _is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


_PLAIN_WORD = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")


def systemd_command_line(argv: Sequence[str]) -> str:
    """Quote an argument vector for ExecStart= (systemd.service(5), "Command lines")."""
    words = []
    for arg in argv:
        word = arg.replace("%", "%%").replace("$", "$$")
        if not _PLAIN_WORD.fullmatch(arg):
            word = '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'
        words.append(word)
    return " ".join(words)


def dbus_command_line(argv: Sequence[str]) -> str:
    """Quote an argument vector for Exec= in a D-Bus service file (shell-like quoting)."""
    return " ".join(
        arg if _PLAIN_WORD.fullmatch(arg) else "'" + arg.replace("'", "'\\''") + "'" for arg in argv
    )


def template_text(parts: Sequence[str]) -> str:
    """Read a template shipped as package data, e.g. ``template_text(UNIT_TEMPLATE)``."""
    return resources.files("i3project_dbus").joinpath("data", *parts).read_text("utf-8")


def render_dbus_service(exec_argv: Sequence[str]) -> str:
    return template_text(DBUS_TEMPLATE).replace(PLACEHOLDER, dbus_command_line(exec_argv))


def render_systemd_unit(exec_argv: Sequence[str]) -> str:
    return template_text(UNIT_TEMPLATE).replace(PLACEHOLDER, systemd_command_line(exec_argv))


# -- destinations -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InstalledFile:
    """One file the installer owns: where it goes and what it holds."""

    path: Path
    content: str


def destinations(prefix: Path | None, environ: Mapping[str, str]) -> tuple[Path, Path]:
    """Return (D-Bus service file, systemd unit) paths for --prefix DIR, or --user if None."""
    if prefix is not None:
        share = prefix / "share"
        return share.joinpath(*DBUS_TEMPLATE), share.joinpath(*UNIT_TEMPLATE)
    data_home = config.xdg_dir(environ, "XDG_DATA_HOME", ".local/share")
    config_home = config.xdg_dir(environ, "XDG_CONFIG_HOME", ".config")
    return data_home.joinpath(*DBUS_TEMPLATE), config_home.joinpath(*UNIT_TEMPLATE)


def planned_files(
    prefix: Path | None, environ: Mapping[str, str], exec_argv: Sequence[str]
) -> list[InstalledFile]:
    dbus_path, unit_path = destinations(prefix, environ)
    return [
        InstalledFile(dbus_path, render_dbus_service(exec_argv)),
        InstalledFile(unit_path, render_systemd_unit(exec_argv)),
    ]


# -- file operations ----------------------------------------------------------------


def atomic_write(path: Path, data: bytes, mode: int = FILE_MODE) -> None:
    """Replace ``path`` with ``data`` atomically (config.atomic_write), mode 0644."""
    config.atomic_write(path, data, mode)


def _current(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


# -- the commands -------------------------------------------------------------------


def add_install_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --user | --prefix DIR and --dry-run (shared by install and uninstall)."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--user",
        action="store_true",
        help="the D-Bus file under $XDG_DATA_HOME, the unit under $XDG_CONFIG_HOME (the default)",
    )
    where.add_argument(
        "--prefix",
        type=Path,
        metavar="DIR",
        help="DIR/share/dbus-1/services and DIR/share/systemd/user instead",
    )
    parser.add_argument("--dry-run", action="store_true", help="print, change nothing")


def _prefix(args: argparse.Namespace) -> Path | None:
    prefix: Path | None = args.prefix
    return None if prefix is None else prefix.expanduser().absolute()


def run_install(
    args: argparse.Namespace,
    out: TextIO | None = None,
    err: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
    exec_argv: Sequence[str] | None = None,
) -> int:
    """Install the two files described by parsed ``args``; return the exit status.

    ``exec_argv`` overrides the command resolved by ``resolve_exec`` (for tests).
    """
    out = out or sys.stdout
    err = err or sys.stderr
    env = os.environ if environ is None else environ
    prefix = _prefix(args)
    exec_argv = resolve_exec() if exec_argv is None else list(exec_argv)
    files = planned_files(prefix, env, exec_argv)
    dry = " (dry run)" if args.dry_run else ""
    _say(f"i3project-dbus install{dry}: Exec={' '.join(exec_argv)}", file=out)
    changed = False
    for item in files:
        try:
            status = _install_one(item, args.dry_run)
        except OSError as exc:
            _say(f"error: {item.path}: {exc}", file=err)
            return 1
        if status.startswith("refused"):
            _say(f"error: {item.path}: {status}", file=err)
            return 1
        changed = changed or status != "unchanged"
        _say(f"  {status:<18} {item.path}", file=out)
    _print_install_next_steps(out, prefix, changed, args.dry_run)
    return 0


def _install_one(item: InstalledFile, dry_run: bool) -> str:
    if item.path.is_symlink():
        return "refused: it is a symlink, managed by a package or home-manager"
    data = item.content.encode("utf-8")
    old = _current(item.path)
    if old == data:
        return "unchanged"
    verb = "install" if old is None else "update"
    if dry_run:
        return f"would {verb}"
    atomic_write(item.path, data)
    return "installed" if old is None else "updated"


def _print_install_next_steps(
    out: TextIO, prefix: Path | None, changed: bool, dry_run: bool
) -> None:
    if not changed:
        _say("Nothing to do: both files are up to date.", file=out)
        return
    if dry_run:
        return
    if prefix is not None:
        _say(
            f"Note: {prefix / 'share'} must be in $XDG_DATA_DIRS of the session for the bus "
            "and the systemd user manager to find these files.",
            file=out,
        )
    _say(
        "Next:\n"
        "  systemctl --user daemon-reload\n"
        f"  busctl --user introspect {BUS_NAME} /org/i3project/Manager1"
        "   # the first call starts the service\n"
        "If the bus does not see the new file yet (dbus-broker does not watch):\n"
        "  busctl --user call org.freedesktop.DBus /org/freedesktop/DBus "
        "org.freedesktop.DBus ReloadConfig\n"
        f"To start it at login instead of on demand: systemctl --user enable {UNIT_NAME}",
        file=out,
    )


def run_uninstall(
    args: argparse.Namespace,
    out: TextIO | None = None,
    err: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Remove the two files described by parsed ``args``, and nothing else."""
    out = out or sys.stdout
    err = err or sys.stderr
    env = os.environ if environ is None else environ
    paths = destinations(_prefix(args), env)
    dry = " (dry run)" if args.dry_run else ""
    _say(f"i3project-dbus uninstall{dry}:", file=out)
    removed = False
    for path in paths:
        if path.is_symlink():
            _say(f"error: {path}: refused: it is a symlink, managed elsewhere", file=err)
            return 1
        if not path.exists():
            _say(f"  {'absent':<18} {path}", file=out)
            continue
        if not args.dry_run:
            try:
                path.unlink()
            except OSError as exc:
                _say(f"error: {path}: {exc}", file=err)
                return 1
        removed = True
        _say(f"  {'would remove' if args.dry_run else 'removed':<18} {path}", file=out)
    _print_uninstall_next_steps(out, paths[1], removed, args.dry_run)
    return 0


def _print_uninstall_next_steps(out: TextIO, unit: Path, removed: bool, dry_run: bool) -> None:
    wants = unit.parent / "graphical-session.target.wants" / UNIT_NAME
    if wants.is_symlink():
        _say(
            f"Warning: the unit is still enabled ({wants} is left alone);\n"
            f"  run: systemctl --user disable {UNIT_NAME}",
            file=out,
        )
    if removed and not dry_run:
        _say(
            f"Next:\n  systemctl --user stop {UNIT_NAME}\n  systemctl --user daemon-reload",
            file=out,
        )


def _parser(command: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"i3project-dbus {command}")
    add_install_arguments(parser)
    return parser


def main_install(argv: list[str]) -> int:
    return run_install(_parser("install").parse_args(argv))


def main_uninstall(argv: list[str]) -> int:
    return run_uninstall(_parser("uninstall").parse_args(argv))
