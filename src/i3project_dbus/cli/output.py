"""Printing results: rich tables for people, tab-separated lines or JSON for scripts.

rich costs ~50 ms to import, so it is imported only when a table goes to a terminal.
Styling follows https://no-color.org: NO_COLOR set to a non-empty value turns off every
styling escape (colour, bold, dim, italic), not colour alone.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from rich.console import Console


class Column(NamedTuple):
    """A table column (a NamedTuple: dataclasses would cost an import of inspect)."""

    header: str
    style: str = ""
    justify: str = "left"
    # Never wrapped or cut, however narrow the terminal: a value to copy (a window id).
    keep: bool = False


def styled(environ: Mapping[str, str] | None = None) -> bool:
    """Whether styling escapes are allowed: not when NO_COLOR is set and not empty."""
    return not (os.environ if environ is None else environ).get("NO_COLOR", "")


def make_console(stream: IO[str] | None, style: bool) -> Console:
    """A rich Console; without `style`, one that writes no styling escape at all (rich's
    no_color drops colours but keeps bold, dim and italic)."""
    from rich.console import Console

    return Console(file=stream, color_system="auto" if style else None, highlight=False,
                   soft_wrap=False)  # fmt: skip


class Output:
    """Where and how a command prints; decided once from stdout and the environment."""

    def __init__(self, stream: IO[str] | None = None, as_json: bool = False) -> None:
        self.stream = stream or sys.stdout
        self.as_json = as_json
        self.is_tty = self.stream.isatty()
        self.color = self.is_tty and styled()
        self._console: Console | None = None

    @property
    def console(self) -> Console:
        if self._console is None:
            self._console = make_console(self.stream, self.color)
        return self._console

    def line(self, text: str = "") -> None:
        self.stream.write(text + "\n")

    def json(self, data: Any) -> None:
        self.stream.write(json.dumps(data, indent=2 if self.is_tty else None) + "\n")

    def message(self, markup: str, plain: str) -> None:
        """A short human message: markup on a terminal, `plain` otherwise."""
        if self.is_tty:
            self.console.print(markup)
        else:
            self.line(plain)

    def table(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[str]],
        title: str = "",
        row_styles: Sequence[str] = (),
    ) -> None:
        """A rich table on a terminal; tab-separated rows without a header otherwise."""
        if not self.is_tty:
            for row in rows:
                self.line("\t".join(cell.replace("\t", " ") for cell in row))
            return
        from rich.table import Table

        table = Table(title=title or None, title_justify="left", header_style="bold")
        for index, col in enumerate(columns):
            widest = max((len(row[index]) for row in rows), default=0)
            table.add_column(
                col.header, style=col.style or None, justify=col.justify,  # type: ignore[arg-type]
                no_wrap=col.keep, min_width=max(widest, len(col.header)) if col.keep else None,
            )  # fmt: skip
        for i, row in enumerate(rows):
            style = row_styles[i] if i < len(row_styles) else ""
            table.add_row(*row, style=style or None)
        self.console.print(table)


def error(message: str) -> None:
    """An error on stderr, prefixed with the program name."""
    sys.stderr.write(f"i3project: {message}\n")
