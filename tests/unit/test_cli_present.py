"""What the CLI shows people: styling under NO_COLOR, the id column, the switch line,
display names, the menu's fallbacks and the terminal test, without a bus."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import re
import subprocess
import sys
import termios
from pathlib import Path
from typing import Any

import pytest

from i3project_dbus.cli import menu
from i3project_dbus.cli.output import Column, Output
from i3project_dbus.cli.present import Event, print_windows, project_rows, switch_summary
from i3project_dbus.cli.terminal import interactive

SRC = Path(__file__).resolve().parents[2] / "src"
ESCAPE = "\x1b["
LONG_ID = 94860863104208


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as stdout in a terminal emulator does."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A colour terminal, 80 columns wide, whatever the test runner's environment."""
    for name in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "80")


def render(no_color: str | None, monkeypatch: pytest.MonkeyPatch) -> str:
    if no_color is not None:
        monkeypatch.setenv("NO_COLOR", no_color)
    out = Output(stream=Terminal())
    out.message("[bold green]alpha[/] [dim]and[/] [italic]beta[/]", "alpha")
    out.table([Column("NAME", "cyan"), Column("N", justify="right")], [["a", "1"]],
              title="Projects", row_styles=["bold green"])  # fmt: skip
    assert isinstance(out.stream, Terminal)
    return out.stream.getvalue()


@pytest.mark.usefixtures("terminal_env")
def test_no_color_means_no_styling_escape_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ESCAPE in render(None, monkeypatch)  # styled by default, so the check can fail
    plain = render("1", monkeypatch)
    assert ESCAPE not in plain
    assert "alpha and beta" in plain and "Projects" in plain


@pytest.mark.usefixtures("terminal_env")
def test_an_empty_no_color_leaves_styling_on(monkeypatch: pytest.MonkeyPatch) -> None:
    # https://no-color.org: "present and not an empty string".
    assert ESCAPE in render("", monkeypatch)


def window(con_id: int, title: str, **extra: Any) -> dict[str, Any]:
    return {"id": con_id, "class": "Firefox-esr", "title": title, "workspace": "1:web",
            "project": "alpha-project", "scope": "scoped", **extra}  # fmt: skip


@pytest.mark.usefixtures("terminal_env")
@pytest.mark.parametrize("columns", [80, 60])
def test_the_id_column_is_never_cut(columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    windows = [
        window(LONG_ID, "Some long title of a web page that goes on - Mozilla Firefox",
               hidden=True, floating=True, workspace="__i3_scratch"),
        window(LONG_ID + 1, "user@host: ~/src/i3project-dbus", focused=True),
    ]  # fmt: skip
    out = Output(stream=Terminal())
    print_windows(out, windows)
    text = out.stream.getvalue()  # type: ignore[attr-defined]
    assert str(LONG_ID) in text and str(LONG_ID + 1) in text, text


def test_the_display_name_falls_back_to_the_name() -> None:
    state = {"active_project": "a", "windows": [],
             "projects": [{"name": "a", "display_name": "Alpha"}, {"name": "b"},
                          {"name": "c", "display_name": ""}]}  # fmt: skip
    assert [r["display_name"] for r in project_rows(state)] == ["Alpha", "b", "c"]


def event(kind: str, **details: Any) -> Event:
    return Event(7, 1_700_000_000_000_000, kind, details)


def test_the_switch_line_carries_the_services_counts() -> None:
    switched = event("project::switch", current="web", hidden=2, shown=3, duration_us=18_400)
    assert switch_summary("web", switched) == "web: showed 3, hid 2 (18 ms)"
    quick = event("project::clear", current="", hidden=0, shown=1, duration_us=420)
    assert switch_summary("no project", quick) == "no project: showed 1, hid 0 (0.4 ms)"
    assert switch_summary("web", None) == "web: done"


def test_menu_lines_show_the_name_where_the_display_name_is_empty() -> None:
    state = {"active_project": "", "windows": [],
             "projects": [{"name": "a", "display_name": "", "icon": "*"}]}  # fmt: skip
    assert menu.menu_lines(state) == ["a  * a"]


def test_no_launcher_when_there_is_no_menu_program(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("I3PROJECT_MENU", raising=False)
    assert menu.default_launcher(lambda _binary: None) is None
    found = menu.default_launcher(lambda binary: "/usr/bin/dmenu" if binary == "dmenu" else None)
    assert found is not None and found.startswith("dmenu ")
    monkeypatch.setenv("I3PROJECT_MENU", "fzf")
    assert menu.default_launcher(lambda _binary: None) == "fzf"


def test_a_terminal_that_is_not_ours_is_not_interactive() -> None:
    # A key binding's process inherits i3's terminal but not as its controlling terminal.
    leader, follower = pty.openpty()
    read_end, write_end = os.pipe()
    try:
        assert os.isatty(follower)
        assert not interactive(follower)
        assert not interactive(write_end)
    finally:
        for fd in (leader, follower, read_end, write_end):
            os.close(fd)


def _take_terminal() -> None:
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


@pytest.mark.parametrize("controlling", [True, False])
def test_interactive_means_the_foreground_of_our_own_terminal(controlling: bool) -> None:
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    program = "from i3project_dbus.cli.terminal import interactive; print(interactive(1))"
    try:
        proc = subprocess.Popen(
            [sys.executable, "-c", program], stdin=follower, stdout=follower, stderr=follower,
            env=env, preexec_fn=_take_terminal if controlling else os.setsid,
        )  # fmt: skip
        os.close(follower)
        assert proc.wait(30) == 0
        output = b""
        while re.search(rb"(True|False)", output) is None:
            output += os.read(leader, 1024)
    finally:
        os.close(leader)
    assert output.strip() == (b"True" if controlling else b"False")


def test_the_monitor_shows_the_name_where_the_display_name_is_empty() -> None:
    from rich.console import Console

    from i3project_dbus.cli.monitor import Monitor

    console = Console(file=io.StringIO(), width=100, color_system=None)
    state = {"active_project": "", "windows": [],
             "projects": [{"name": "beta", "display_name": "", "icon": ""}]}  # fmt: skip
    console.print(Monitor("live", 5, console).projects_table(state))
    row = next(line for line in console.file.getvalue().splitlines() if "beta" in line)  # type: ignore[attr-defined]
    assert re.search(r"beta\s*│\s*beta\s*│", row), row
