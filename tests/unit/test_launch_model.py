"""The launch model: project file fields, argv substitution, the environment, options, and
the bounded table of launched processes."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from i3project_dbus.model.errors import InvalidArgument
from i3project_dbus.model.launch import (
    MAX_ARG_BYTES,
    LaunchEntry,
    LaunchOptions,
    WindowMatch,
    check_argv,
    check_options,
    launch_environment,
    substitute,
)
from i3project_dbus.model.launches import Ancestor, LaunchRecord, LaunchTable
from i3project_dbus.model.project import Project
from i3project_dbus.model.window import Window

FULL = {
    "name": "web",
    "directory": "/srv/web",
    "environment": {"NODE_ENV": "development", "EMPTY": ""},
    "launch": [
        {"name": "term", "command": ["xterm", "-T", "$PROJECT_NAME"], "workspace": "1"},
        {
            "name": "editor",
            "command": ["code", "$PROJECT_DIR"],
            "workspace": "2",
            "floating": True,
            "match": {"class": "Code"},
        },
    ],
    "color": "#00ff00",
}


# -- the project file -------------------------------------------------------------


def test_old_files_load_with_no_apps_and_no_environment() -> None:
    project = Project.from_json({"name": "old", "directory": "/x"})
    assert project.environment == () and project.launch == ()
    assert "environment" not in project.to_json() and "launch" not in project.to_json()


def test_fields_load_and_round_trip_with_unknown_keys_kept() -> None:
    project = Project.from_json(FULL, expected_name="web")
    assert project.environment == (("NODE_ENV", "development"), ("EMPTY", ""))
    term, editor = project.launch
    assert term == LaunchEntry("term", ("xterm", "-T", "$PROJECT_NAME"), workspace="1")
    assert editor.floating and editor.match == WindowMatch(wm_class="Code")
    assert project.entry("editor") is editor and project.entry("nope") is None
    data = project.to_json()
    assert data["color"] == "#00ff00"
    assert data["environment"] == FULL["environment"]
    assert data["launch"] == FULL["launch"]
    assert Project.from_json(json.loads(json.dumps(data))) == project


def test_options_update_keeps_the_apps() -> None:
    project = Project.from_json(FULL).with_options({"icon": "web"})
    assert project.launch == Project.from_json(FULL).launch
    assert project.environment == Project.from_json(FULL).environment


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("environment", ["A=1"], "object of strings"),
        ("environment", {"A": 1}, "must be a string"),
        ("environment", {"1A": "x"}, "not a variable name"),
        ("environment", {"A=B": "x"}, "not a variable name"),
        ("environment", {"": "x"}, "not a variable name"),
        ("environment", {"A": "a\0b"}, "NUL"),
        ("environment", {"A": "x" * (MAX_ARG_BYTES + 1)}, "longer than"),
        ("launch", {"name": "x"}, "list of objects"),
        ("launch", ["xterm"], "must be an object"),
        ("launch", [{"name": "t"}], "needs a 'name' and a 'command'"),
        ("launch", [{"name": "t", "command": []}], "is empty"),
        ("launch", [{"name": "t", "command": "xterm -e vim"}], "list of strings"),
        ("launch", [{"name": "t", "command": [""]}], "the program, is empty"),
        ("launch", [{"name": "t", "command": ["x", 1]}], "must be a string"),
        ("launch", [{"name": "", "command": ["x"]}], "non-empty string"),
        ("launch", [{"name": "t", "comand": ["x"], "command": ["x"]}], "unknown keys"),
        ("launch", [{"name": "t", "command": ["x"], "floating": "yes"}], "true or false"),
        ("launch", [{"name": "t", "command": ["x"], "workspace": 3}], "non-empty string"),
        ("launch", [{"name": "t", "command": ["x"], "workspace": "__i3_scratch"}], "i3's own"),
        ("launch", [{"name": "t", "command": ["x"], "match": {}}], "neither"),
        ("launch", [{"name": "t", "command": ["x"], "match": {"title": "x"}}], "unknown keys"),
        ("launch", [{"name": "t", "command": ["x"], "match": "Code"}], "must be an object"),
        ("launch", [{"name": "t", "command": ["x"]}, {"name": "t", "command": ["y"]}], "twice"),
    ],
)
def test_bad_fields_are_refused_with_the_reason(field: str, value: object, message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        Project.from_json({"name": "p", field: value})


def test_null_fields_are_no_fields() -> None:
    project = Project.from_json({"name": "p", "environment": None, "launch": None})
    assert project.environment == () and project.launch == ()


# -- argv, substitution, environment, options -------------------------------------------


def test_argv_is_checked() -> None:
    assert check_argv(["a", "", "b"]) == ("a", "", "b")
    for bad, message in [([], "empty"), ("ls", "list"), (["\ud800"], "UTF-8"), ([None], "string")]:
        with pytest.raises(InvalidArgument, match=message):
            check_argv(bad)


def test_substitution_replaces_both_names_and_nothing_else() -> None:
    argv = ["x", "$PROJECT_DIR", "--name=$PROJECT_NAME!", "${PROJECT_DIR}/src", "$HOME"]
    argv += ["$PROJECT_DIRS", "$$PROJECT_NAME", "'$PROJECT_NAME'; rm -rf /"]
    assert substitute(argv, "web", "/srv/web") == (
        "x",
        "/srv/web",
        "--name=web!",
        "/srv/web/src",
        "$HOME",
        "$PROJECT_DIRS",
        "$web",
        "'web'; rm -rf /",
    )


def test_substitution_does_not_expand_what_it_put_in() -> None:
    assert substitute(["$PROJECT_DIR"], "n", "/a/$PROJECT_NAME") == ("/a/$PROJECT_NAME",)


@given(st.lists(st.text(), min_size=1, max_size=5), st.text(), st.text())
def test_substitution_leaves_text_without_the_names_alone(
    argv: list[str], name: str, directory: str
) -> None:
    plain = [a.replace("$", "") for a in argv]
    assert substitute(plain, name, directory) == tuple(plain)


def test_environment_layers_and_what_is_never_passed_on() -> None:
    base = {"PATH": "/bin", "NOTIFY_SOCKET": "/run/n", "WATCHDOG_USEC": "1", "EDITOR": "vi"}
    env = launch_environment(
        base, [("EDITOR", "nvim"), ("I3PROJECT_NAME", "spoof")], "web", "/srv/web"
    )
    assert env == {
        "PATH": "/bin",
        "EDITOR": "nvim",
        "I3PROJECT_NAME": "web",
        "I3PROJECT_DIR": "/srv/web",
    }


def test_options() -> None:
    assert check_options({}) == LaunchOptions()
    assert check_options({"workspace": "3: mail", "floating": True}) == LaunchOptions(
        "3: mail", True
    )
    for bad, message in [
        ({"workspace": ""}, "non-empty"),
        ({"workspace": 3}, "must be a str"),
        ({"floating": 1}, "must be a bool"),
        ({"output": "HDMI-1"}, "unknown option"),
        ({"workspace": "__i3_scratch"}, "i3's own"),
    ]:
        with pytest.raises(InvalidArgument, match=message):
            check_options(bad)


def test_window_match_is_by_class_and_instance_ignoring_case() -> None:
    window = Window(1, wm_class="Code", instance="code")
    assert WindowMatch(wm_class="code").matches(window)
    assert WindowMatch(instance="CODE").matches(window)
    assert WindowMatch("Code", "code").matches(window)
    assert not WindowMatch("Code", "other").matches(window)
    assert not WindowMatch(wm_class="XTerm").matches(window)


# -- the table of launched processes --------------------------------------------------


def record(pid: int, project: str = "p", start: int = 100, entry: str = "") -> LaunchRecord:
    return LaunchRecord(pid=pid, project=project, entry=entry, start_ticks=start)


def everyone_alive(_: LaunchRecord) -> bool:
    return True


def test_a_window_of_the_launched_process_itself() -> None:
    table = LaunchTable()
    table.add(record(50), everyone_alive)
    assert table.find([Ancestor(50, 100, 50)]) == record(50)


def test_a_descendant_finds_its_ancestor_and_reading_stops_there() -> None:
    table = LaunchTable()
    table.add(record(50), everyone_alive)
    read: list[int] = []

    def lineage() -> Iterator[Ancestor]:
        chain = [Ancestor(70, 1, 70), Ancestor(60, 1, 50), Ancestor(50, 100, 50)]
        for ancestor in chain:
            read.append(ancestor.pid)
            yield ancestor
        raise AssertionError("read past the match")

    assert table.find(lineage()) == record(50)
    assert read == [70, 60]  # 60 is in 50's session: the match, before 50 itself


def test_an_orphan_in_the_launched_session_still_belongs() -> None:
    # sh -c 'xterm &': sh (50) is gone, xterm (80) was left to init, in sh's session.
    table = LaunchTable()
    table.add(record(50), everyone_alive)
    assert table.find([Ancestor(80, 7, 50)]) == record(50)


def test_a_reused_pid_is_not_the_launch_and_drops_the_stale_record() -> None:
    table = LaunchTable()
    table.add(record(50, start=100), everyone_alive)
    assert table.find([Ancestor(50, 999, 50)]) is None
    assert len(table) == 0


def test_unrelated_processes_find_nothing() -> None:
    table = LaunchTable()
    table.add(record(50), everyone_alive)
    assert table.find([Ancestor(90, 1, 90), Ancestor(2, 1, 2)]) is None
    assert table.find([]) is None


def test_full_table_drops_the_dead_first_then_the_oldest() -> None:
    table = LaunchTable(capacity=3)
    for pid in (1, 2, 3):
        table.add(record(pid), everyone_alive)
    dropped = table.add(record(4), lambda r: r.pid != 2)
    assert [r.pid for r in dropped] == [2] and [r.pid for r in table] == [1, 3, 4]
    dropped = table.add(record(5), everyone_alive)
    assert [r.pid for r in dropped] == [1] and [r.pid for r in table] == [3, 4, 5]


def test_windows_of_a_launch_go_with_it() -> None:
    table = LaunchTable()
    table.add(record(50, entry="term"), everyone_alive)
    assert not table.has_shown(50)
    table.note_window(7, record(50, entry="term"))
    table.note_window(8, record(99))  # not a launch here: ignored
    assert table.has_shown(50) and not table.has_shown(99)
    assert table.launch_of(7) == record(50, entry="term") and table.launch_of(8) is None
    assert table.windows_of(50) == [7]
    assert table.of_entry("p", "term") == [record(50, entry="term")]
    table.forget_window(7)
    assert table.windows_of(50) == [] and table.has_shown(50)
    table.note_window(7, record(50, entry="term"))
    assert table.expire(lambda r: False) == [record(50, entry="term")]
    assert table.launch_of(7) is None and len(table) == 0


def test_capacity_is_at_least_one() -> None:
    with pytest.raises(ValueError):
        LaunchTable(0)
