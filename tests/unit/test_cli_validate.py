"""validate names every problem of the project files; edit never loses the user's text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from i3project_dbus.cli.validate import check_project_text

SRC = Path(__file__).resolve().parents[2] / "src"
CLI = [sys.executable, "-m", "i3project_dbus.cli"]
OK, UNREACHABLE, INVALID = 0, 2, 3


def test_a_good_file_has_no_problem(tmp_path: Path) -> None:
    text = json.dumps({"name": "web", "directory": str(tmp_path), "scoped_classes": ["XTerm"],
                       "display_name": "Web", "unknown_key": [1, 2]})  # fmt: skip
    assert check_project_text(text, "web") == []
    assert check_project_text("{}", "web") == []  # the name defaults to the file's


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"name": "web",', "not valid JSON: Expecting property name enclosed in double quotes"
         " (line 1, column 16)"),
        ("[]", "the file must hold a JSON object"),
        ('{"name": "other"}', "'name' is 'other', but the file is named web.json"),
        ('{"name": "a b"}', "'name' 'a b' is not a project name"),
        ('{"icon": 3}', "'icon' must be a string, not int"),
        ('{"scoped_classes": "XTerm"}', "'scoped_classes' must be a list of window classes"),
        ('{"scoped_classes": [""]}', "scoped_classes[0] is empty"),
        ('{"scoped_classes": ["XTerm", " kitty"]}', "scoped_classes[1] ' kitty' has spaces"),
        ('{"directory": "/nonexistent/i3p"}', "'directory' '/nonexistent/i3p' does not exist"),
        ('{"directory": "/etc/hostname"}', "is not a directory"),
        ('{"display_name": "' + "x" * 5000 + '"}', "longer than 4096"),
    ],
)  # fmt: skip
def test_each_problem_is_named(text: str, expected: str) -> None:
    problems = check_project_text(text, "web")
    assert any(expected in p for p in problems), problems


def test_every_problem_of_a_file_is_listed() -> None:
    text = '{"name": "web", "icon": 1, "scoped_classes": [2, ""], "directory": "/nope/x"}'
    assert len(check_project_text(text, "web")) == 4


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL, check=False)  # fmt: skip


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    projects = tmp_path / "config" / "i3project" / "projects"
    projects.mkdir(parents=True)
    (projects / "web.json").write_text('{"name": "web", "scoped_classes": ["XTerm"]}\n')
    (projects / "broken.json").write_text('{"name": "broken",\n')
    (tmp_path / "config" / "i3project" / "config.json").write_text('{"scoped_classes": 3}')
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(SRC),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        # No bus: edit saves, then says the service could not reload.
        "DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path}/no-bus",
    }


def test_validate_all_one_and_json(env: dict[str, str]) -> None:
    done = cli(env, "validate", "--json")
    assert done.returncode == INVALID, done.stderr
    found = {Path(f["path"]).name: f for f in json.loads(done.stdout)}
    assert set(found) == {"config.json", "broken.json", "web.json"}
    assert found["web.json"]["ok"] and not found["broken.json"]["ok"]
    assert "'scoped_classes' must be a list of strings" in found["config.json"]["problems"][0]
    assert cli(env, "validate", "web").returncode == OK
    one = cli(env, "validate", "broken")
    assert one.returncode == INVALID and "not valid JSON" in one.stdout
    assert cli(env, "validate", "missing").returncode == INVALID
    assert cli(env, "validate", "no/such").returncode == INVALID


def editor(tmp_path: Path, content: str) -> str:
    """An $EDITOR that replaces the file it is given with ``content``."""
    script = tmp_path / f"editor-{abs(hash(content))}.py"
    script.write_text(f"import sys\nopen(sys.argv[1], 'w').write({content!r})\n")
    return f"{sys.executable} {script}"


def test_edit_keeps_a_rejected_draft_and_saves_a_fixed_one(
    env: dict[str, str], tmp_path: Path
) -> None:
    target = Path(env["XDG_CONFIG_HOME"]) / "i3project" / "projects" / "broken.json"
    draft = Path(env["XDG_STATE_HOME"]) / "i3project" / "edit" / "broken.json"
    bad = '{"name": "other"}\n'
    done = cli({**env, "EDITOR": editor(tmp_path, bad)}, "edit", "broken")
    assert done.returncode == INVALID
    assert "'name' is 'other'" in done.stderr and str(draft) in done.stderr
    assert target.read_text() == '{"name": "broken",\n'  # the file is untouched
    assert draft.read_text() == bad  # and the user's text is kept
    # The next edit opens the draft again; `true` leaves it as it is: still refused.
    again = cli({**env, "EDITOR": "true"}, "edit", "broken")
    assert again.returncode == INVALID and "continuing your unsaved edit" in again.stderr
    good = '{"name": "broken", "scoped_classes": ["kitty"]}\n'
    fixed = cli({**env, "VISUAL": editor(tmp_path, good), "EDITOR": "false"}, "edit", "broken")
    assert fixed.returncode == UNREACHABLE, fixed.stderr
    assert f"saved {target}" in fixed.stderr
    assert target.read_text() == good and not draft.exists()


def test_edit_without_changes_and_a_failing_editor(env: dict[str, str]) -> None:
    target = Path(env["XDG_CONFIG_HOME"]) / "i3project" / "projects" / "web.json"
    before = target.read_text()
    assert cli({**env, "EDITOR": "true"}, "edit", "web").returncode == OK
    failed = cli({**env, "EDITOR": "false"}, "edit", "web")
    assert failed.returncode == 1 and "exited with status 1" in failed.stderr
    assert target.read_text() == before
    assert cli({**env, "EDITOR": "true"}, "edit", "missing").returncode == INVALID
