"""The state owner: listeners, snapshot merging, assignment tokens."""

from dataclasses import dataclass, field

import pytest

from i3project_dbus.model import errors
from i3project_dbus.model.marks import assignment_mark, restore_mark
from i3project_dbus.model.project import Project
from i3project_dbus.model.state import State
from i3project_dbus.model.window import SCRATCHPAD, SCRATCHPAD_OUTPUT, Window


@dataclass
class Recorder:
    calls: list[tuple[str, object]] = field(default_factory=list)

    def window_added(self, w: Window) -> None:
        self.calls.append(("window_added", w.id))

    def window_changed(self, old: Window, new: Window) -> None:
        self.calls.append(("window_changed", new.id))

    def window_removed(self, w: Window) -> None:
        self.calls.append(("window_removed", w.id))

    def project_added(self, p: Project) -> None:
        self.calls.append(("project_added", p.name))

    def project_changed(self, old: Project, new: Project) -> None:
        self.calls.append(("project_changed", new.name))

    def project_removed(self, p: Project) -> None:
        self.calls.append(("project_removed", p.name))

    def active_changed(self, previous: str, current: str) -> None:
        self.calls.append(("active_changed", (previous, current)))


def make() -> tuple[State, Recorder]:
    state = State()
    rec = Recorder()
    state.add_listener(rec)
    return state, rec


def test_projects_and_active() -> None:
    state, rec = make()
    state.add_project(Project("a"))
    with pytest.raises(errors.ProjectExists):
        state.add_project(Project("a"))
    with pytest.raises(errors.NoSuchProject):
        state.set_active("b")
    assert state.set_active("a") == ""
    state.set_active("a")  # no change, no second notification
    assert rec.calls == [("project_added", "a"), ("active_changed", ("", "a"))]


def test_snapshot_keeps_windows_seen_after_it_was_requested() -> None:
    state, _ = make()
    state.apply_snapshot([Window(1, workspace="1"), Window(2, workspace="1")], since=state.seq)
    since = state.seq
    # While the tree read is in flight: window 3 appears, window 2 closes,
    # window 1 gets a new title.
    state.put_window(Window(3), state.next_seq())
    state.remove_window(2, state.next_seq())
    state.put_window(Window(1, title="new", workspace="1"), state.next_seq())
    # The snapshot was taken before those events.
    state.apply_snapshot([Window(1, title="old", workspace="2"), Window(2, workspace="1")], since)
    assert sorted(state.windows) == [1, 3]
    assert state.windows[1].title == "new"
    assert state.windows[1].workspace == "2"


def test_snapshot_removes_windows_gone_from_the_tree() -> None:
    state, rec = make()
    state.apply_snapshot([Window(1), Window(2)], since=state.seq)
    state.apply_snapshot([Window(2)], since=state.seq)
    assert list(state.windows) == [2]
    assert ("window_removed", 1) in rec.calls


def test_assignment_tokens_are_unique() -> None:
    state, _ = make()
    # After an i3 restart con ids change; an old token may equal a new con id.
    state.put_window(Window(0x10, marks=(assignment_mark("a", "20"),)))
    new = Window(0x20)
    state.put_window(new)
    mark = state.new_assignment_mark(new, "b")
    assert mark != assignment_mark("b", "20")
    assert mark.startswith("project:b:20.")


def test_assignment_tokens_follow_marks_changed_and_windows_closed() -> None:
    state, _ = make()
    state.put_window(Window(0x10, marks=(assignment_mark("a", "20"),)))
    state.put_window(Window(0x30, marks=(restore_mark("20.2", False, "1"),)))
    new = Window(0x20)
    state.put_window(new)
    assert state.new_assignment_mark(new, "b") == assignment_mark("b", "20.3")
    state.update_window(0x30, marks=())  # its restore mark dropped: 20.2 is free again
    assert state.new_assignment_mark(new, "b") == assignment_mark("b", "20.2")
    state.remove_window(0x10)  # closed: 20 is free
    assert state.new_assignment_mark(new, "b") == assignment_mark("b", "20")
    # A window's own marks never stand in its way.
    state.update_window(0x20, marks=(assignment_mark("a", "20"),))
    assert state.new_assignment_mark(state.windows[0x20], "b") == assignment_mark("b", "20")


def test_focus_moves_from_whichever_windows_had_it() -> None:
    state, _ = make()
    state.put_window(Window(1, focused=True))
    state.put_window(Window(2, focused=True))  # a merge may leave two for a moment
    state.put_window(Window(3))
    state.set_focused(3, seq=state.next_seq())
    assert [w.id for w in state.windows.values() if w.focused] == [3]
    state.remove_window(3)
    state.set_focused(1, seq=state.next_seq())
    assert [w.id for w in state.windows.values() if w.focused] == [1]


def test_apply_plan_records_positions() -> None:
    state, _ = make()
    state.add_project(Project("a"))
    state.add_project(Project("b"))
    state.put_window(Window(1, workspace="3", marks=(assignment_mark("a", "1"),)))
    plan = state.plan("b")
    state.apply_plan(plan)
    w = state.windows[1]
    assert w.workspace == SCRATCHPAD and w.hidden
    assert restore_mark("1", False, "3") in w.marks
    state.apply_plan(state.plan("a"))
    w = state.windows[1]
    # Its restore mark stays, inert: it is back, and nothing brings it back again.
    assert w.workspace == "3" and not w.hidden and w.restore is None
    assert w.inert_marks == (restore_mark("1", False, "3"),)
    assert state.plan("a").empty
    again = state.plan("b")
    assert again.hide[0].mark == restore_mark("1", False, "3") and not again.hide[0].stale


def test_a_switch_tells_the_outputs_without_a_tree_read() -> None:
    state, _ = make()
    state.add_project(Project("a"))
    state.add_project(Project("b"))
    state.put_window(Window(1, workspace="3", output="HDMI-1", marks=(assignment_mark("a", "1"),)))
    state.apply_plan(state.plan("b"))
    assert state.windows[1].output == SCRATCHPAD_OUTPUT  # as a tree read would say
    state.apply_plan(state.plan("a"))
    assert state.windows[1].output == "HDMI-1"
    # A workspace the model never saw a window on: unknown until a tree read tells it.
    hidden = Window(2, workspace=SCRATCHPAD, output=SCRATCHPAD_OUTPUT,
                    marks=(assignment_mark("a", "2"), restore_mark("2", False, "9")))  # fmt: skip
    state.put_window(hidden)
    state.apply_plan(state.plan("a"))
    assert (state.windows[2].workspace, state.windows[2].output) == ("9", "")


def test_a_mark_naming_no_project_is_no_assignment() -> None:
    state, _ = make()
    orphan = Window(1, wm_class="Orphanapp", workspace="1", marks=(assignment_mark("gone", "1"),))
    state.put_window(orphan)
    assert orphan.project == "gone"
    assert state.project_of(orphan) == ""
    assert state.window_dict(orphan)["project"] == ""
    assert state.scope_of(orphan).value == "global"
    state.add_project(Project("gone"))
    assert state.project_of(orphan) == "gone"
    assert state.scope_of(orphan).value == "scoped"


def test_a_hidden_window_floats_as_it_did_before_hiding() -> None:
    tiled = Window(1, workspace=SCRATCHPAD, floating=True, marks=(restore_mark("1", False, "2"),))
    floating = Window(2, workspace=SCRATCHPAD, floating=True, marks=(restore_mark("2", True, "2"),))
    shown = Window(3, workspace="2", floating=True)
    assert [w.shown_floating for w in (tiled, floating, shown)] == [False, True, True]


def test_wants_assignment_only_for_scoped_classes_with_an_active_project() -> None:
    state, _ = make()
    state.add_project(Project("a", scoped_classes=("MyApp",)))
    xterm = Window(1, wm_class="XTerm", workspace="1")
    browser = Window(2, wm_class="firefox", workspace="1")
    custom = Window(3, wm_class="MyApp", workspace="1")
    assert not state.wants_assignment(xterm)
    state.set_active("a")
    assert state.wants_assignment(xterm)
    assert not state.wants_assignment(browser)
    assert state.wants_assignment(custom)
