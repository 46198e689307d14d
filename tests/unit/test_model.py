"""The pure model: names, projects, marks, windows, switch planning, the event ring."""

import pytest

from i3project_dbus.model import errors
from i3project_dbus.model.classify import Classification, Scope
from i3project_dbus.model.events import EventRing
from i3project_dbus.model.marks import (
    assignment_mark,
    parse_assignment,
    parse_restore,
    restore_mark,
    token_of,
)
from i3project_dbus.model.project import Project, validate_name, validate_options
from i3project_dbus.model.switch import plan_switch
from i3project_dbus.model.window import SCRATCHPAD, Window


@pytest.mark.parametrize("name", ["a", "my-proj", "A_1", "x" * 64, "0", "-", "_"])
def test_valid_names(name: str) -> None:
    assert validate_name(name) == name


@pytest.mark.parametrize(
    "name", ["", ".", "..", "../x", "a b", "x" * 65, 'a"b', "a;b", "a,b", "é", "a\nb", "a:b"]
)
def test_invalid_names(name: str) -> None:
    with pytest.raises(errors.InvalidName, match="invalid project name"):
        validate_name(name)


def test_options_are_checked() -> None:
    clean = validate_options({"display_name": "A", "scoped_classes": ["XTerm"]})
    assert clean == {"display_name": "A", "scoped_classes": ("XTerm",)}
    with pytest.raises(errors.InvalidArgument, match="unknown option"):
        validate_options({"colour": "red"})
    with pytest.raises(errors.InvalidArgument, match="must be a string"):
        validate_options({"icon": 3})
    with pytest.raises(errors.InvalidArgument, match="list of strings"):
        validate_options({"scoped_classes": "XTerm"})
    with pytest.raises(errors.InvalidArgument, match="longer than"):
        validate_options({"directory": "x" * 5000})


def test_project_round_trip_keeps_unknown_keys() -> None:
    data = {
        "name": "web",
        "display_name": "Web",
        "icon": "",
        "directory": "/src/web",
        "created": "2025-01-01T00:00:00",
        "last_active": "",
        "color": "#ff0000",
    }
    project = Project.from_json(data, expected_name="web")
    assert project.display_name == "Web"
    assert project.scoped_classes is None
    assert project.to_json()["color"] == "#ff0000"
    assert Project.from_json(project.to_json()) == project


def test_project_file_must_match_its_name() -> None:
    with pytest.raises(errors.InvalidArgument):
        Project.from_json({"name": "other"}, expected_name="web")
    with pytest.raises(errors.InvalidArgument):
        Project.from_json(["not", "an", "object"])


def test_marks_round_trip() -> None:
    mark = assignment_mark("my-proj", "8000a1")
    assert parse_assignment(mark) == "my-proj"
    assert parse_assignment("project:legacy") == "legacy"
    assert parse_assignment("project:bad name:1") is None
    assert parse_assignment("other") is None
    assert token_of(mark) == "8000a1"
    restore = restore_mark("8000a1", True, 'ws "3": odd')
    parsed = parse_restore(restore)
    assert parsed is not None
    assert (parsed.token, parsed.floating, parsed.workspace) == ("8000a1", True, 'ws "3": odd')
    assert parse_restore("_i3p_restore:x:2:ws") is None


def _w(con_id: int, project: str = "", workspace: str = "1", **kw: object) -> Window:
    marks = (assignment_mark(project, str(con_id)),) if project else ()
    return Window(con_id, workspace=workspace, marks=marks + tuple(kw.pop("marks", ())), **kw)  # type: ignore[arg-type]


def test_window_derives_project_and_hidden() -> None:
    w = _w(1, "a")
    assert w.project == "a" and not w.hidden
    hidden = _w(2, "a", SCRATCHPAD, marks=(restore_mark("2", False, "1"),))
    assert hidden.hidden and hidden.restore is not None


def test_plan_hides_others_and_shows_target() -> None:
    a1 = _w(1, "a", "1")
    a2 = _w(2, "a", "2", floating=True)
    b1 = _w(3, "b", SCRATCHPAD, marks=(restore_mark("3", False, "5"),))
    loose = _w(4, "", "1")
    manual = _w(5, "a", SCRATCHPAD)  # put in the scratchpad by hand: no restore mark
    plan = plan_switch([a1, a2, b1, loose, manual], "b")
    assert [h.window.id for h in plan.hide] == [1, 2]
    assert plan.hide[1].mark == restore_mark("2", True, "2")
    assert [(s.window.id, s.workspace, s.floating) for s in plan.show] == [(3, "5", False)]


def test_plan_clear_shows_everything_hidden() -> None:
    b1 = _w(3, "b", SCRATCHPAD, marks=(restore_mark("3", True, "x"),))
    plan = plan_switch([b1, _w(1, "a")], "")
    assert not plan.hide
    assert [(s.window.id, s.floating) for s in plan.show] == [(3, True)]


def test_plan_replaces_a_stale_restore_mark() -> None:
    # Shown by hand with "scratchpad show": the old restore mark is still there.
    w = _w(1, "a", "2", marks=(restore_mark("1", False, "9"),))
    plan = plan_switch([w], "b")
    assert plan.hide[0].stale == (restore_mark("1", False, "9"),)
    assert plan.hide[0].mark == restore_mark("1", False, "2")


def test_classification_global_wins() -> None:
    c = Classification.of(["XTerm", "firefox"], ["Firefox"])
    assert c.overlap() == {"firefox"}
    assert c.scope("firefox") is Scope.GLOBAL
    assert c.scope("xterm") is Scope.SCOPED
    assert c.scope("Unknown") is Scope.GLOBAL
    assert c.scope("Unknown", extra_scoped=["unknown"]) is Scope.SCOPED


def test_event_ring_is_bounded_and_counts() -> None:
    ring = EventRing(3)
    for i in range(10):
        ring.record("tick", {"i": i}, time_us=i)
    assert len(ring) == 3 and ring.count == 10
    assert [e.id for e in ring.recent()] == [8, 9, 10]
    assert [e.id for e in ring.recent(2)] == [9, 10]
    with pytest.raises(ValueError):
        EventRing(0)


def test_plan_keeps_the_mark_of_a_window_only_peeked_at() -> None:
    # "scratchpad show" by hand: still a scratchpad window, its restore mark still right.
    mark = restore_mark("1", False, "3")
    w = _w(1, "a", "5", floating=True, scratchpad_window=True, marks=(mark,))
    plan = plan_switch([w], "b")
    assert plan.hide[0].mark == mark and plan.hide[0].stale == ()


def test_floating_geometry_travels_in_the_restore_mark() -> None:
    mark = restore_mark("7", True, "2", (100, 120, 300, 200))
    assert mark == "_i3p_restore:7:1,100,120,300,200:2"
    parsed = parse_restore(mark)
    assert parsed is not None and parsed.rect == (100, 120, 300, 200) and parsed.floating
    assert restore_mark("7", False, "2", (1, 2, 3, 4)) == "_i3p_restore:7:0:2"
    assert parse_restore("_i3p_restore:7:1,1,2,x,4:2") is None
    w = _w(1, "a", "2", floating=True, rect=(5, 6, 70, 80))
    plan = plan_switch([w], "b")
    assert parse_restore(plan.hide[0].mark) == parse_restore(
        restore_mark("1", True, "2", (5, 6, 70, 80))
    )
