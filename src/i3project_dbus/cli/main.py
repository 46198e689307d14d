"""`i3project`: the command line; parses arguments and runs one subcommand.

Exit codes: 0 ok, 1 error, 2 service unreachable (and, as argparse has it, no command
at all), 3 invalid input (a bad name, an unknown project or window, a usage error).
`switch NAME` and `clear` from a key binding take the keypress path (cli/wire.py: no
argparse, no jeepney, no typing); the other commands add argparse, json and the
jeepney client; asyncio (watch, monitor) and rich (tables on a terminal) are imported
where they are needed.
"""

from __future__ import annotations

import sys

# Not typing.TYPE_CHECKING: importing typing costs ~10 ms on the keypress path; mypy
# treats any name TYPE_CHECKING as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from .errors import CliError

QUIET = ("-q", "--quiet")
# No command: the short usage and argparse's own exit status for a usage error.
NO_COMMAND = 2


def fast_path(argv: list[str]) -> int | None:
    """`switch NAME` and `clear` (with -q or not), the keypress path: no argparse, no
    jeepney (see wire.py).

    Any other form (options, --help) returns None and goes through argparse. So does a
    person at a terminal, who gets a line saying what the switch did, and a bus this
    small client cannot talk to; errors are reported as by the full client.
    """
    words = [a for a in argv if a not in QUIET]
    quiet = len(words) < len(argv)
    if len(words) == 2 and words[0] == "switch" == argv[0] and not words[1].startswith("-"):
        member, arg = "SwitchProject", words[1]
    elif words == ["clear"] and argv[0] == "clear":
        member, arg = "ClearProject", None
    else:
        return None
    from .terminal import interactive

    if not quiet and interactive(1):
        return None
    from . import wire

    try:
        wire.call(member, arg)
    except wire.ErrorReply as exc:
        from .errors import from_dbus_error

        return report(from_dbus_error(exc.name, exc.text))
    except TimeoutError:
        from .errors import UNREACHABLE, CliError

        waited = f"{wire.DEFAULT_TIMEOUT:g} s"
        return report(CliError(f"the i3project service did not answer {member} within {waited}",
                               UNREACHABLE))  # fmt: skip
    except (wire.Unsupported, OSError):
        return None  # the full client retries and explains what is wrong
    return 0


def report(exc: CliError) -> int:
    sys.stderr.write(f"i3project: {exc.message}\n")
    return exc.code


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    code = fast_path(argv)
    if code is not None:
        return code
    from .errors import ERROR, CliError
    from .parser import build_parser
    from .terminal import interactive

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from .. import __version__

        sys.stdout.write(f"i3project {__version__}\n")
        return 0
    if args.command is None:
        parser.print_usage(sys.stderr)
        return NO_COMMAND
    args.interactive = interactive(1)
    from .commands import run

    try:
        return run(args)
    except CliError as exc:
        return report(exc)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: one line, not a traceback, but say what it was
        from .output import error

        error(f"internal error: {type(exc).__name__}: {exc}")
        return ERROR


if __name__ == "__main__":
    sys.exit(main())
