"""The CLI's arguments, exit codes and import budget, without a bus."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from i3project_dbus.cli import errors
from i3project_dbus.cli.commands import event_matches, menu_lines
from i3project_dbus.cli.completion import SCRIPTS
from i3project_dbus.cli.main import main
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
    assert main([]) == errors.INVALID
    capsys.readouterr()


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("i3project ")


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
    program_fast = (
        "import sys\n"
        "from i3project_dbus.cli import wire\n"
        "try:\n    wire.call('SwitchProject', 'x', timeout=1)\nexcept OSError:\n    pass\n"
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
