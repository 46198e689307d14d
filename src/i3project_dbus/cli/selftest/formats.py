"""How a selftest run is reported: a rich terminal view with progress, JSON, or TAP.

TAP (version 13, as `prove` reads it) is written as the run goes: the plan first (every
scenario, then the cleanup), one test line per scenario, a YAML block with the reason
and the measurements, `# SKIP` for what did not run, `Bail out!` when the service cannot
be reached at all.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any

from .runner import Reporter, Result, Scenario, Status

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

FORMAT_NAME = "i3project-selftest"
FORMAT_VERSION = 1
FORMATS = ("terminal", "json", "tap")
MARKS = {Status.PASS: ("✓", "green"), Status.FAIL: ("✗", "bold red"), Status.SKIP: ("-", "yellow")}


def counts(results: Sequence[Result]) -> dict[str, int]:
    return {s.value: sum(r.status is s for r in results) for s in Status}


def result_json(result: Result) -> dict[str, Any]:
    return {
        "name": result.name,
        "summary": result.summary,
        "status": result.status.value,
        "reason": result.reason,
        "duration_ms": round(result.duration_s * 1000, 1),
        "details": dict(result.details),
    }


class TapReporter:
    def __init__(self, stream: IO[str]) -> None:
        # Where the TAP goes, flushed after every line (prove reads it as it comes).
        self.stream = stream
        # The number of the last test line written.
        self.number = 0

    def _write(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def start(self, plan: Sequence[Scenario], info: Mapping[str, Any]) -> None:
        self._write("TAP version 13")
        self._write(f"1..{len(plan) + 1}")
        for key, value in info.items():
            self._write(f"# {key}: {value}")

    def begin(self, scenario: Scenario) -> None:
        """TAP has no line for a test that has started."""

    def finish(self, result: Result) -> None:
        self.number += 1
        # '#' starts a directive in a TAP description.
        description = f"{result.name}: {result.summary}".replace("#", "\\#")
        ok = "not ok" if result.status is Status.FAIL else "ok"
        line = f"{ok} {self.number} - {description}"
        if result.status is Status.SKIP:
            line += f" # SKIP {' '.join(result.reason.split())}"
        self._write(line)
        block = {"duration_ms": round(result.duration_s * 1000, 1), **result.details}
        if result.status is Status.FAIL:
            block = {"message": result.reason, **block}
        if result.status is not Status.SKIP:
            self._write("  ---")
            for key, value in block.items():
                # JSON is YAML's flow style: every value stays on one line, quoted.
                self._write(f"  {key}: {json.dumps(value, ensure_ascii=False)}")
            self._write("  ...")

    def bail(self, reason: str) -> None:
        self._write(f"Bail out! {' '.join(reason.split())}")

    def end(self, results: Sequence[Result], code: int) -> None:
        n = counts(results)
        self._write(f"# {n['pass']} passed, {n['fail']} failed, {n['skip']} skipped")


class JsonReporter:
    """One document at the end (written atomically when it goes to a file)."""

    def __init__(self, stream: IO[str], path: str | None) -> None:
        # stdout, when there is no path to write to.
        self.stream = stream
        # The -o FILE, replaced whole at the end; None for stdout.
        self.path = path
        # What start() was told about the service (version, window manager, ...).
        self.info: dict[str, Any] = {}
        # When the run started, ISO 8601 UTC.
        self.started = datetime.now(UTC).isoformat(timespec="seconds")

    def start(self, plan: Sequence[Scenario], info: Mapping[str, Any]) -> None:
        self.info = dict(info)

    def begin(self, scenario: Scenario) -> None:
        """Nothing is written before the end."""

    def finish(self, result: Result) -> None:
        """Nothing is written before the end."""

    def bail(self, reason: str) -> None:
        self._emit({"ok": False, "error": reason, "results": []})

    def end(self, results: Sequence[Result], code: int) -> None:
        self._emit(
            {
                "ok": code == 0,
                "exit_code": code,
                "summary": counts(results),
                "results": [result_json(r) for r in results],
            }
        )

    def _emit(self, body: Mapping[str, Any]) -> None:
        from ... import __version__

        document = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "cli_version": __version__,
            "started": self.started,
            **self.info,
            **body,
        }
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        if self.path is None:
            self.stream.write(text)
            self.stream.flush()
        else:
            from pathlib import Path

            from ...config import atomic_write

            atomic_write(Path(self.path), text.encode())


class TerminalReporter:
    """A line per scenario under a live progress bar on a terminal; plain lines elsewhere."""

    def __init__(self, stream: IO[str]) -> None:
        # Where the lines go; a terminal gets rich and a progress bar, anything else text.
        self.stream = stream
        self.is_tty = stream.isatty()
        # Scenarios in the plan, and the cleanup.
        self.total = 0
        # The rich console (the progress bar's while it runs); None when not a terminal.
        self._console: Console | None = None
        # The live progress bar and its one task, while the run goes on.
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def _line(self, markup: str, plain: str) -> None:
        if self._console is not None:
            self._console.print(markup, highlight=False)
        else:
            self.stream.write(plain + "\n")
            self.stream.flush()

    def start(self, plan: Sequence[Scenario], info: Mapping[str, Any]) -> None:
        self.total = len(plan) + 1
        wm = info.get("window_manager") or "no window manager"
        active = info.get("active_project") or "none"
        header = (
            f"i3project selftest: service {info.get('service_version', '?')}, {wm},"
            f" active project {active}"
        )
        if self.is_tty:
            import os

            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._console = Console(file=self.stream, no_color="NO_COLOR" in os.environ)
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self._console,
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("starting", total=self.total)
            self._console = self._progress.console
        self._line(f"[bold]{header}[/]", header)
        for name in info.get("removed_leftovers") or ():
            self._line(
                f"[yellow]removed {name}, left over by an earlier run[/]",
                f"removed {name}, left over by an earlier run",
            )

    def begin(self, scenario: Scenario) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, description=scenario.name)

    def finish(self, result: Result) -> None:
        from rich.markup import escape

        symbol, style = MARKS[result.status]
        took = f"{result.duration_s:.2f} s" if result.status is not Status.SKIP else ""
        extra = "  ".join(
            f"{k}={v}"
            for k, v in result.details.items()
            if isinstance(v, int | float) and not isinstance(v, bool)
        )
        markup = f"[{style}]{symbol}[/] [bold]{result.name}[/] [dim]{took} {escape(extra)}[/]"
        plain = f"{result.status.value.upper()}\t{result.name}\t{took}\t{extra}".rstrip()
        if result.reason:
            markup += f"\n    [{style}]{escape(result.reason)}[/]"
            plain += f"\n\t{result.reason}"
        self._line(markup, plain)
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)

    def bail(self, reason: str) -> None:
        self._stop()
        sys.stderr.write(f"i3project: {reason}\n")

    def end(self, results: Sequence[Result], code: int) -> None:
        self._stop()
        n = counts(results)
        verdict = "all passed" if code == 0 else "FAILED" if code != 130 else "interrupted"
        style = "bold green" if code == 0 else "bold red"
        summary = f"{n['pass']} passed, {n['fail']} failed, {n['skip']} skipped"
        self._line(f"[{style}]{verdict}[/]: {summary}", f"{verdict}: {summary}")

    def _stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def reporter(name: str, stream: IO[str], path: str | None) -> Reporter:
    if name == "tap":
        return TapReporter(stream)
    if name == "json":
        return JsonReporter(stream, path)
    return TerminalReporter(stream)
