"""Outputs, workspaces, the names users give them, and the per-project focus record."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from i3project_dbus.model.focus import FocusRestore, left_to_do, plan_restore, record_focus
from i3project_dbus.model.outputs import (
    Output,
    Screens,
    Workspace,
    output_ref_problem,
    unknown_refs,
    workspace_name_problem,
)
from i3project_dbus.model.window import Window

SCREENS = Screens(
    (
        Output("LEFT", True, rect=(0, 0, 800, 1000), current_workspace="1"),
        Output("RIGHT", True, primary=True, rect=(800, 0, 800, 1000), current_workspace="2"),
        Output("HDMI-1", False),
    ),
    (
        Workspace("1", "LEFT", 1, visible=True, focused=True),
        Workspace("2", "RIGHT", 2, visible=True),
        Workspace("3", "LEFT", 3),
    ),
)


def test_screens_answers_where_things_are() -> None:
    assert [o.name for o in SCREENS.active] == ["LEFT", "RIGHT"]
    assert SCREENS.fallback() == "RIGHT"
    assert SCREENS.visible_on("LEFT") == "1"
    assert SCREENS.workspaces_on("LEFT") == ("1", "3")
    assert SCREENS.resolve(["HDMI-1", "LEFT"]) == "LEFT"
    assert SCREENS.resolve(["NOWHERE"]) == ""
    assert not SCREENS.is_active("HDMI-1") and not SCREENS.is_active("NOWHERE")


def test_sway_identity_and_connector_both_match() -> None:
    dell = Output("DP-3", True, make="Dell Inc.", model="DELL U2415", serial="")
    assert dell.identity == "Dell Inc. DELL U2415"
    assert dell.matches("DP-3") and dell.matches("Dell Inc. DELL U2415 ")
    assert not dell.matches("Dell Inc.")
    assert Output("LEFT", True).identity == ""
    assert not Output("LEFT", True).matches("")


@pytest.mark.parametrize(
    "name",
    ["", "  ", '"]; exec touch /tmp/canary; ["', "a;b", "a,b", 'a"b', "a\\b", "x\ny", "__i3"],
)
def test_hostile_or_internal_workspace_names_are_refused(name: str) -> None:
    assert workspace_name_problem(name) is not None


@pytest.mark.parametrize("name", ["1", "1: web", "mail ✉", "x" * 255])
def test_ordinary_workspace_names_pass(name: str) -> None:
    assert workspace_name_problem(name) is None


def test_output_refs_are_checked_like_names() -> None:
    assert output_ref_problem("Dell Inc. DELL U2415 7MT01") is None
    assert output_ref_problem(3) is not None
    assert output_ref_problem("HDMI]; exec x") is not None
    assert output_ref_problem("x" * 256) is not None


@given(st.text(max_size=40))
def test_no_accepted_name_holds_command_syntax(name: str) -> None:
    if workspace_name_problem(name) is None:
        assert not set('"\\;,[]') & set(name)
        assert name.strip() and not name.startswith("__")


def test_unknown_refs_are_named_and_known_ones_are_not() -> None:
    messages = unknown_refs((("2", ("RIGHT", "DP-9")),), SCREENS.outputs)
    assert len(messages) == 1 and "'DP-9'" in messages[0]
    assert unknown_refs((("2", ("HDMI-1",)),), SCREENS.outputs) == []


def test_focus_record_and_restore() -> None:
    record = record_focus(SCREENS, focused_window=42)
    assert record.visible == (("LEFT", "1"), ("RIGHT", "2"))
    assert (record.focused_workspace, record.focused_output) == ("1", "LEFT")
    # Nothing to show where the view is the recorded one; the window is focused anyway.
    assert plan_restore(record, SCREENS, {42}) == FocusRestore((), 42)
    moved_on = Screens(
        SCREENS.outputs,
        (
            Workspace("1", "LEFT", 1),
            Workspace("2", "RIGHT", 2),
            Workspace("3", "LEFT", 3, visible=True),
            Workspace("4", "RIGHT", 4, visible=True, focused=True),
        ),
    )
    assert plan_restore(record, moved_on, {42}) == FocusRestore(("2", "1"), 42)
    only_focus = Screens(
        SCREENS.outputs,
        (Workspace("1", "LEFT", 1, visible=True), Workspace("2", "RIGHT", 2, visible=True,
                                                            focused=True)),
    )  # fmt: skip
    assert plan_restore(record, only_focus, set()) == FocusRestore(("1",), 0)


def test_a_restore_the_switch_did_already_is_not_done_again() -> None:
    # The switch's own command focused window 42 on workspace 1: showing 1 and focusing 42
    # is done. Another output's workspace to show, or another window, is left to do.
    done = Window(42, workspace="1")
    assert left_to_do(FocusRestore(("1",), 42), done) == FocusRestore()
    assert left_to_do(FocusRestore((), 42), done) == FocusRestore()
    assert left_to_do(FocusRestore(("2", "1"), 42), done) == FocusRestore(("2", "1"), 42)
    assert left_to_do(FocusRestore(("1",), 7), done) == FocusRestore(("1",), 7)
    assert left_to_do(FocusRestore(("1",), 0), done) == FocusRestore(("1",), 0)
    assert left_to_do(FocusRestore(("1",), 42), None) == FocusRestore(("1",), 42)


def test_restore_skips_gone_outputs_missing_workspaces_and_hidden_windows() -> None:
    record = record_focus(SCREENS, focused_window=42)
    left_only = Screens(
        (Output("LEFT", True), Output("RIGHT", False)),
        (Workspace("1", "LEFT", visible=True, focused=True), Workspace("2", "LEFT")),
    )
    assert plan_restore(record, left_only, set()).empty
    right_only = Screens(
        (Output("LEFT", False), Output("RIGHT", True)),
        (Workspace("2", "RIGHT", visible=True, focused=True),),
    )
    # The focused workspace's output is gone: neither it nor its window is brought back.
    assert plan_restore(record, right_only, {42}).empty
    assert plan_restore(record, Screens(), {42}).empty


# LEFT | MID | RIGHT side by side, and Down under MID.
ROW = Screens(
    (
        Output("LEFT", True, rect=(0, 0, 800, 1000)),
        Output("MID", True, rect=(800, 0, 800, 1000)),
        Output("RIGHT", True, rect=(1600, 0, 800, 1000)),
        Output("Down", True, rect=(800, 1000, 800, 600)),
    ),
)


def test_next_output_follows_i3_closest_then_wrapping() -> None:
    assert ROW.next_output("right", "LEFT") == "MID"
    assert ROW.next_output("right", "RIGHT") == "LEFT"  # wraps to the farthest left
    assert ROW.next_output("left", "LEFT") == "RIGHT"
    assert ROW.next_output("down", "MID") == "Down"
    assert ROW.next_output("down", "LEFT") == "LEFT"  # nothing overlaps below it
    assert Screens().next_output("up", "X") == "X"


def test_an_output_named_like_a_direction_is_reached_by_direction() -> None:
    assert ROW.address("MID", "LEFT") == "MID"
    assert ROW.address("RIGHT", "MID") == "right"
    assert ROW.address("LEFT", "MID") == "left"
    assert ROW.address("RIGHT", "LEFT") == "left"  # "right" of LEFT is MID; left wraps
    assert ROW.address("Down", "MID") == "down"
    assert ROW.address("Down", "LEFT") == "Down"  # unreachable: the name, best effort
