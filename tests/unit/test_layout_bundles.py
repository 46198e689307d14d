"""Bundles: the units of a workspace that keeps windows leave i3 as one scratchpad entry
and come back each to its own place (model/units.py). Planning and commands, pure."""

from __future__ import annotations

from hypothesis import given, settings
from test_layout_units import windows_of, workspaces

from i3project_dbus.i3 import layout_commands
from i3project_dbus.model.layout import Forest, Hidden, Layout, Node, Workspace
from i3project_dbus.model.layout_switch import _returning, plan_layout_switch
from i3project_dbus.model.marks import Anchor, Slot, assignment_mark, parse_restore, restore_mark
from i3project_dbus.model.placement import plan_return
from i3project_dbus.model.steps import MoveToMark, Stage, Swap
from i3project_dbus.model.switch import Hide, Show, SwitchPlan
from i3project_dbus.model.units import plan_units, unit_marks
from i3project_dbus.model.window import Window


def win(con_id: int, percent: float = 0.25, *marks: str) -> Node:
    return Node(con_id, Layout.SPLITH, percent, marks, window=True, x11=con_id * 10)


def window(con_id: int, project: str, *marks: str) -> Window:
    mark = assignment_mark(project, f"{con_id * 10:x}")
    return Window(con_id, x11_id=con_id * 10, marks=(mark, *marks))


# g1 a2 g3 a4 on one workspace: a's windows are interleaved with global ones.
MIXED = Workspace("1", 100, Layout.SPLITH, (win(1), win(2), win(3), win(4)))


@settings(max_examples=300)
@given(workspaces())
def test_bundled_and_single_units_cover_exactly_the_leaving_windows(
    case: tuple[Workspace, set[int]],
) -> None:
    ws, leaving = case
    plan = plan_units((ws,), leaving, can_wrap=True, can_bundle=True)
    if plan.wrap:
        return
    units = list(plan.units) + [u for b in plan.bundles for u in b.units]
    covered = [w for u in units for w in windows_of(u.root)]
    assert sorted(covered) == sorted(set(covered)) and set(covered) == leaving
    for bundle in plan.bundles:
        assert len(bundle.units) > 1 and bundle.first.window
        assert all(u.slot.loose and not u.slot.fullscreen for u in bundle.units)
    assert not any(u.slot.loose for u in plan.units)


def test_units_of_a_workspace_that_keeps_windows_are_bundled_on_i3_only() -> None:
    i3 = plan_units((MIXED,), {2, 4}, can_wrap=True, can_bundle=True)
    assert not i3.units and len(i3.bundles) == 1
    assert [(u.root.con_id, u.slot.index) for u in i3.bundles[0].units] == [(2, 1), (4, 3)]
    sway = plan_units((MIXED,), {2, 4}, can_wrap=False, can_bundle=False)
    assert [u.root.con_id for u in sway.units] == [2, 4] and not sway.bundles
    # One unit alone gains nothing from a bundle; a fullscreen one is never gathered.
    assert not plan_units((MIXED,), {2}, can_wrap=True, can_bundle=True).bundles
    full = Node(4, Layout.SPLITH, 0.25, window=True, x11=40, fullscreen=True)
    ws = Workspace("1", 100, Layout.SPLITH, (win(1), win(2), win(3), full))
    assert not plan_units((ws,), {2, 4}, can_wrap=True, can_bundle=True).bundles


def test_the_gathering_command_keeps_the_order_and_drops_its_mark() -> None:
    plan = SwitchPlan("b", tuple(Hide(window(i, "a"), "", ()) for i in (2, 4)), ())
    windows = {i: window(i, "a") for i in (2, 4)}
    first = plan_layout_switch(Forest((MIXED,)), plan, windows, sway=False)
    assert first.bundles and not first.leaving, "the first call only gathers"
    marks = [parse_restore(m.mark) for m in first.bundles[0].marked]
    assert [(r.slot.index, r.slot.loose) for r in marks if r and r.slot] == [(1, True), (3, True)]
    text = layout_commands.prepare(first)
    assert text == (
        '[id=20] split v, mark --add "_i3p_at:b1"; '
        '[id=40] move container to mark "_i3p_at:b1"; unmark "_i3p_at:b1"'
    )
    # Gathered: the container leaves as one unit, its windows with the marks from before.
    bundle = Node(7, Layout.SPLITV, 0.5, children=(win(2, 0.5), win(4, 0.5)))
    after = Workspace("1", 100, Layout.SPLITH, (win(1, 0.25), bundle, win(3, 0.25)))
    second = plan_layout_switch(
        Forest((after,)), plan, windows, sway=False, wrapped=True, bundled=first.bundles
    )
    assert [lv.unit.root.con_id for lv in second.leaving] == [7]
    assert second.leaving[0].marked == first.bundles[0].marked
    # Not as gathered (a window of it closed in between): the tree as it is now decides.
    broken = Workspace("1", 100, Layout.SPLITH, (win(1), Node(7, Layout.SPLITV, 0.5,
                       children=(win(2, 1.0),)), win(3)))  # fmt: skip
    third = plan_layout_switch(
        Forest((broken,)), plan, windows, sway=False, wrapped=True, bundled=first.bundles
    )
    assert [lv.unit.root.con_id for lv in third.leaving] == [7]
    assert third.leaving[0].marked != first.bundles[0].marked


def loose(con_id: int, index: int) -> Node:
    """A window hidden in a bundle, with the restore mark that says where it sat."""
    token = f"{con_id * 10:x}"
    mark = restore_mark(token, False, "1", None, Slot(index, 2500, "h", loose=True))
    assert mark.endswith(",b=1:1")
    return win(con_id, 0.5, assignment_mark("a", token), mark)


def test_a_bundle_is_tiled_once_and_each_unit_goes_to_its_own_place() -> None:
    bundle = Node(7, Layout.SPLITV, 1.0, children=(loose(2, 1), loose(4, 3)))
    left = Workspace("1", 100, Layout.SPLITH, (win(1, 0.5, "_i3p_anchor"), win(3, 0.5, "g:3")))
    forest = Forest((left,), (Hidden(bundle),))
    back, covered, stray = _returning(forest.hidden, {2, 4})
    assert covered == {2, 4} and not stray
    assert [(r.root.con_id, r.slot.index, r.bundle) for r in back] == [
        (2, 1, bundle),
        (4, 3, bundle),
    ]
    steps = plan_return(forest, back, [], sway=False).steps
    assert steps[0] == Stage(bundle)
    assert not any(isinstance(s, Stage) for s in steps[1:]), "the units are tiled already"
    assert MoveToMark(bundle.children[0], "_i3p_anchor") in steps
    assert MoveToMark(bundle.children[1], "g:3") in steps
    assert not any(isinstance(s, Swap) for s in steps)


def test_a_unit_in_a_bundle_that_is_not_shown_comes_out_too_and_is_hidden_again() -> None:
    bundle = Node(7, Layout.SPLITV, 1.0, children=(loose(2, 1), loose(4, 3)))
    ws = Workspace("1", 100, Layout.SPLITH, (win(1, 0.5), win(3, 0.5)))
    back, _covered, stray = _returning(Forest((ws,), (Hidden(bundle),)).hidden, {2})
    assert [r.root.con_id for r in back] == [2, 4] and stray


def test_a_share_that_differs_by_rounding_keeps_the_mark_the_window_has() -> None:
    ws = Workspace("1", 100, Layout.SPLITH, (win(1, 0.5), win(2, 0.3125)))
    unit = plan_units((ws,), {2}, can_wrap=True).units[0]
    fresh = unit_marks(unit, {2: window(2, "a")}, 0)[0].mark
    assert ",p=3125," in fresh
    old = fresh.replace(",p=3125,", ",p=3126,")
    kept = unit_marks(unit, {2: window(2, "a", old)}, 0)[0]
    assert kept.mark == old and not kept.stale
    far = fresh.replace(",p=3125,", ",p=3200,")
    moved = unit_marks(unit, {2: window(2, "a", far)}, 0)[0]
    assert moved.mark == fresh and moved.stale == (far,)


def test_a_unit_named_by_a_window_now_in_a_bundle_still_finds_its_parent() -> None:
    """b5 was in P (splitv) at index 1, its parent named by a2 (found by a reviewer:
    planned from the tree after gathering, a2's parent was the bundle, and b5 landed at
    the end of its workspace)."""
    slot = Slot(1, 3333, "v", Anchor(20, True, 1))
    bmark = restore_mark("32", False, "1", None, slot)
    b5 = Node(5, Layout.SPLITH, 1.0, (assignment_mark("b", "32"), bmark), window=True, x11=50)
    p = Node(10, Layout.SPLITV, 0.5, children=(win(2, 0.5), win(3, 0.5)))
    before = Workspace("1", 100, Layout.SPLITH, (win(1, 0.25), p, win(4, 0.25)))
    windows = {2: window(2, "a"), 4: window(4, "a"), 5: window(5, "b", bmark)}
    hides = tuple(Hide(windows[i], "", ()) for i in (2, 4))
    plan = SwitchPlan("b", hides, (Show(windows[5], "1", False, bmark),))
    first = plan_layout_switch(Forest((before,), (Hidden(b5),)), plan, windows, sway=False)
    assert first.bundles
    # Gathered: P = [C(a2, a4), g3].
    c = Node(7, Layout.SPLITV, 0.5, children=(win(2, 0.5), win(4, 0.5)))
    p2 = Node(10, Layout.SPLITV, 0.75, children=(c, win(3, 0.5)))
    after = Workspace("1", 100, Layout.SPLITH, (win(1, 0.25), p2))
    second = plan_layout_switch(
        Forest((after,), (Hidden(b5),)), plan, windows, sway=False, wrapped=True,
        bundled=first.bundles,
    )  # fmt: skip
    assert [lv.unit.root.con_id for lv in second.leaving] == [7]
    assert not second.placement.gone
    assert second.placement.landing == {5: "1"}


def test_a_bundle_gathered_in_part_leaves_with_the_places_from_before() -> None:
    """i3 refused one move of the gathering (a window closed meanwhile, say): the
    container holds a2 only; it still leaves as the bundle, with a2's mark from before."""
    plan = SwitchPlan("b", tuple(Hide(window(i, "a"), "", ()) for i in (2, 4)), ())
    windows = {i: window(i, "a") for i in (2, 4)}
    first = plan_layout_switch(Forest((MIXED,)), plan, windows, sway=False)
    part = Node(7, Layout.SPLITV, 0.25, children=(win(2, 1.0),))
    after = Workspace("1", 100, Layout.SPLITH, (win(1, 0.25), part, win(3, 0.25), win(4, 0.25)))
    second = plan_layout_switch(
        Forest((after,)), plan, windows, sway=False, wrapped=True, bundled=first.bundles
    )
    by_root = {lv.unit.root.con_id: lv.marked for lv in second.leaving}
    assert set(by_root) == {7, 4}
    assert by_root[7] == first.bundles[0].marked[:1]
    (alone,) = by_root[4]
    restore = parse_restore(alone.mark)
    assert restore is not None and restore.slot is not None and not restore.slot.loose


def test_no_bundle_beside_a_fullscreen_window_that_stays() -> None:
    full = Node(3, Layout.SPLITH, 0.25, window=True, x11=30, fullscreen=True)
    ws = Workspace("1", 100, Layout.SPLITH, (win(1), win(2), full, win(4)))
    plan = plan_units((ws,), {2, 4}, can_wrap=True, can_bundle=True)
    assert not plan.bundles and [u.root.con_id for u in plan.units] == [2, 4]
