"""`i3project selftest`: scenarios run against the live service, safe on the user's session."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import IO

from ..errors import INVALID, OK, CliError
from ..parser import timeout_for
from .formats import reporter
from .restart import restart
from .runner import Scenario, execute
from .scenarios import SCENARIOS

CATALOGUE: tuple[Scenario, ...] = (
    *SCENARIOS,
    Scenario(
        "restart", "`i3-msg restart`: the service is back within 500 ms", restart, optional=True
    ),
)
NOT_INCLUDED = "run with --include-restart (or name it) to restart i3"


def plan(names: Sequence[str], include_restart: bool) -> list[tuple[Scenario, str]]:
    """The scenarios to report, each with the reason it will not run ("" if it will).
    Named scenarios run in the catalogue's order; an optional one runs when named."""
    known = {s.name for s in CATALOGUE}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise CliError(
            f"unknown scenario {', '.join(unknown)}; known: {', '.join(sorted(known))}", INVALID
        )
    chosen = [s for s in CATALOGUE if not names or s.name in names]
    return [
        (s, NOT_INCLUDED if s.optional and not (include_restart or names) else "") for s in chosen
    ]


def print_list(stream: IO[str]) -> None:
    width = max(len(s.name) for s in CATALOGUE)
    for s in CATALOGUE:
        note = "  (with --include-restart)" if s.optional else ""
        stream.write(f"{s.name:<{width}}  {s.summary}{note}\n")


def run(args: argparse.Namespace) -> int:
    if args.list:
        print_list(sys.stdout)
        return OK
    chosen = plan(args.scenarios, args.include_restart)
    if args.output:
        if args.format == "json":
            return execute(
                chosen,
                reporter("json", sys.stdout, args.output),
                args.keep_going,
                timeout_for(args),
            )
        try:
            stream = open(args.output, "w", encoding="utf-8")  # noqa: SIM115 (closed below)
        except OSError as exc:
            raise CliError(f"cannot write {args.output}: {exc}", INVALID) from None
        with stream:
            return execute(
                chosen, reporter(args.format, stream, None), args.keep_going, timeout_for(args)
            )
    return execute(
        chosen, reporter(args.format, sys.stdout, None), args.keep_going, timeout_for(args)
    )
