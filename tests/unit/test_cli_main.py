"""The CLI's arguments, exit codes and import budget, without a bus."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from i3project_dbus.cli import errors, wire
from i3project_dbus.cli import parser as parser_mod
from i3project_dbus.cli.completion import SCRIPTS
from i3project_dbus.cli.main import main
from i3project_dbus.cli.menu import menu_lines
from i3project_dbus.cli.parser import build_parser
from i3project_dbus.cli.present import event_matches
from i3project_dbus.dbus import names

SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (names.ERROR_INVALID_NAME, errors.INVALID),
        (names.ERROR_NO_SUCH_PROJECT, errors.INVALID),
        (names.ERROR_PROJECT_EXISTS, errors.INVALID),
        (names.ERROR_NO_SUCH_WINDOW, errors.INVALID),
        (names.ERROR_NOT_CONNECTED, errors.ERROR),
        (names.ERROR_INTERNAL, errors.ERROR),
        ("org.freedesktop.DBus.Error.ServiceUnknown", errors.UNREACHABLE),
        ("org.freedesktop.DBus.Error.Spawn.ChildExited", errors.UNREACHABLE),
    ],
)
def test_dbus_errors_map_to_exit_codes(error: str, code: int) -> None:
    assert errors.exit_code_for(error) == code


def test_unreachable_message_says_how_to_start_the_service() -> None:
    exc = errors.from_dbus_error("org.freedesktop.DBus.Error.ServiceUnknown", "not activatable")
    assert exc.code == errors.UNREACHABLE
    assert "i3project-dbus" in exc.message and "systemctl --user" in exc.message


def test_usage_errors_exit_3_not_argparses_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["nonsense"])
    assert info.value.code == errors.INVALID
    with pytest.raises(SystemExit) as info:
        main(["watch", "--format", "xml"])
    assert info.value.code == errors.INVALID
    capsys.readouterr()


def test_no_command_prints_the_short_usage_and_exits_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("usage: i3project ")
    assert "positional arguments" not in err and "exit codes" not in err


def test_both_programs_print_the_version_in_one_form(capsys: pytest.CaptureFixture[str]) -> None:
    from i3project_dbus import __main__ as service_main
    from i3project_dbus import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"i3project {__version__}\n"
    assert service_main.main(["--version"]) == 0
    assert capsys.readouterr().out == f"i3project-dbus {__version__}\n"


def test_create_takes_scoped_classes_one_option_each() -> None:
    parser = build_parser()
    args = parser.parse_args(["create", "--scoped", "Foo", "--scoped", "Bar", "NAME"])
    assert (args.name, args.scoped) == ("NAME", ["Foo", "Bar"])
    assert parser.parse_args(["create", "NAME"]).scoped is None
    # The usage says what the parser takes: one CLASS per --scoped.
    create = parser._subparsers._group_actions[0].choices["create"]  # type: ignore[union-attr]
    assert "[--scoped CLASS]" in create.format_usage()


@pytest.mark.parametrize(
    ("argv", "seconds"),
    [
        (["switch", "x"], parser_mod.KEYPRESS_TIMEOUT),
        (["clear"], parser_mod.KEYPRESS_TIMEOUT),
        (["list"], parser_mod.CALL_TIMEOUT),
        (["--timeout", "40", "switch", "x"], 40.0),
        (["--timeout", "0.5", "list"], 0.5),
    ],
)
def test_switch_and_clear_give_up_sooner_than_queries(argv: list[str], seconds: float) -> None:
    assert parser_mod.timeout_for(build_parser().parse_args(argv)) == seconds
    assert parser_mod.KEYPRESS_TIMEOUT <= 5 < parser_mod.CALL_TIMEOUT
    assert wire.DEFAULT_TIMEOUT == parser_mod.KEYPRESS_TIMEOUT


def test_event_type_filters() -> None:
    assert event_matches("project::switch", None)
    assert event_matches("project::switch", ["project"])
    assert event_matches("project::switch", ["project::switch"])
    assert event_matches("window::new", ["window::*"])
    assert not event_matches("window::new", ["project", "window::close"])


def test_menu_lines_put_the_name_first_and_offer_clear() -> None:
    state = {
        "active_project": "a",
        "projects": [{"name": "a", "display_name": "Alpha", "icon": "*"}, {"name": "b"}],
        "windows": [],
    }
    assert menu_lines(state) == ["a  * Alpha  (active)", "b  b", "[clear]  show every window"]
    assert menu_lines({**state, "active_project": ""})[-1] == "b  b"


def test_bash_completion_is_valid_bash() -> None:
    proc = subprocess.run(["bash", "-n"], input=SCRIPTS["bash"], text=True,
                          capture_output=True, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr


def test_the_keypress_path_imports_neither_asyncio_nor_rich_nor_jeepney(tmp_path: Path) -> None:
    """`i3project switch` must stay a small process: see cli/wire.py for the figures."""
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    env["PYTHONPATH"] = str(SRC)
    # A bus address it can parse but not reach: the call fails after the imports are done.
    env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={tmp_path}/none"
    # fast_path: the terminal check, then wire; the unreachable bus sends it back (None).
    program_fast = (
        "import sys\n"
        "from i3project_dbus.cli.main import fast_path\n"
        "assert fast_path(['switch', 'x']) is None\n"
        "print(sorted(m for m in ('asyncio', 'rich', 'jeepney', 'dbus_fast', 'typing',"
        " 'argparse', 'json', 'socket', 'enum') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-S", "-c", program_fast], env=env,
                         capture_output=True, text=True, timeout=60, check=True).stdout  # fmt: skip
    assert out.strip() == "[]", f"heavy imports on the keypress path: {out}"


@pytest.mark.parametrize("value", ["0", "-1", "soon"])
def test_a_timeout_must_be_positive(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--timeout", value, "current"])
    assert exit_info.value.code == errors.INVALID
    assert "--timeout" in capsys.readouterr().err
