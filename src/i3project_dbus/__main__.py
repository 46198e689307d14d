"""The i3project-dbus command: run the service (the default), or install its activation files."""

from __future__ import annotations

import argparse
import logging
import sys


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="i3project-dbus",
        description="Project-scoped window management for i3 and sway, on the D-Bus session bus.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run the service (the default)")
    # SUPPRESS: an absent "run --socket" must not undo "i3project-dbus --socket X run".
    run.add_argument("--socket", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    parser.add_argument("--socket", help="the i3/sway IPC socket (default: discover it)")
    from .install import add_install_arguments

    add_install_arguments(
        sub.add_parser("install", help="install the D-Bus activation file and user unit")
    )
    add_install_arguments(sub.add_parser("uninstall", help="remove what install wrote"))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.version:
        from . import __version__

        sys.stdout.write(f"i3project-dbus {__version__}\n")
        return 0
    if args.command == "install":
        from .install import run_install

        return run_install(args)
    if args.command == "uninstall":
        from .install import run_uninstall

        return run_uninstall(args)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    from .service import run as run_service

    return run_service(args.socket)


if __name__ == "__main__":
    sys.exit(main())
