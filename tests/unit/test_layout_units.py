"""Planning which subtrees leave as units: property tests on random tiling trees."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from harness_layout import flatten_safe
from i3project_dbus.model.layout import Forest, Layout, Node, Workspace, locate
from i3project_dbus.model.marks import PERCENT_SCALE, assignment_mark, parse_restore
from i3project_dbus.model.units import is_pure, plan_units, unit_marks
from i3project_dbus.model.window import Window

LAYOUTS = st.sampled_from(list(Layout))


@st.composite
def shapes(draw: st.DrawFn, depth: int = 0) -> object:
    """A nested list shape: True/False for a window (leaving or not), a tuple for a split."""
    if depth >= 3 or draw(st.integers(0, 2)) == 0:
        return draw(st.booleans())
    layout = draw(LAYOUTS)
    kids = draw(st.lists(shapes(depth + 1), min_size=1, max_size=4))
    return (layout, kids)


def build(shape: object, ids: itertools.count[int], leaving: set[int]) -> Node:
    con_id = next(ids)
    if isinstance(shape, bool):
        if shape:
            leaving.add(con_id)
        return Node(con_id, Layout.SPLITH, window=True, x11=con_id + 1000)
    assert isinstance(shape, tuple)
    layout, kids = shape
    children = tuple(build(k, ids, leaving) for k in kids)
    percent = 1 / len(children)
    children = tuple(
        Node(c.con_id, c.layout, percent, c.marks, c.window, c.x11, c.children) for c in children
    )
    return Node(con_id, layout, children=children)


@st.composite
def workspaces(draw: st.DrawFn) -> tuple[Workspace, set[int]]:
    ids = itertools.count(1)
    leaving: set[int] = set()
    tops = draw(st.lists(shapes(), min_size=0, max_size=4))
    children = tuple(build(s, ids, leaving) for s in tops)
    layout = draw(st.sampled_from([Layout.SPLITH, Layout.SPLITV]))
    return Workspace("1", 999, layout, children), leaving


def windows_of(node: Node) -> set[int]:
    return {n.con_id for n in node.windows()}


@settings(max_examples=300)
@given(workspaces(), st.booleans())
def test_units_cover_exactly_the_leaving_windows(
    case: tuple[Workspace, set[int]], i3: bool
) -> None:
    ws, leaving = case
    plan = plan_units((ws,), leaving, can_wrap=i3)
    if plan.wrap:
        # A workspace is wrapped only when all its tiled content leaves, in several children.
        assert plan.wrap == (ws,) and i3 and len(ws.children) > 1
        assert all(is_pure(c, leaving) for c in ws.children) and not plan.units
        return
    covered: list[int] = []
    for unit in plan.units:
        covered += windows_of(unit.root)
    assert sorted(covered) == sorted(set(covered)), "units overlap"
    assert set(covered) == leaving, "units miss a leaving window or take a staying one"


@settings(max_examples=300)
@given(workspaces())
def test_units_are_maximal_and_know_their_place(case: tuple[Workspace, set[int]]) -> None:
    ws, leaving = case
    plan = plan_units((ws,), leaving, can_wrap=False)
    where = locate(Forest((ws,)))
    for unit in plan.units:
        parent = where[unit.root.con_id].parents[0]
        assert parent.children[unit.slot.index] is unit.root
        assert unit.slot.layout == parent.layout.letter
        assert 0 < unit.slot.percent <= PERCENT_SCALE
        if isinstance(parent, Workspace):
            assert unit.slot.anchor is None
            continue
        assert not is_pure(parent, leaving), "a pure parent should have left whole"
        anchor = unit.slot.anchor
        assert anchor is not None and anchor.x11
        found = next(loc for loc in where.values() if loc.node.x11 == anchor.window)
        assert found.node.con_id not in leaving
        assert found.parents[anchor.height - 1] is parent


def test_a_workspace_that_leaves_whole_is_wrapped_once_then_leaves_as_one() -> None:
    a, b = Node(2, Layout.SPLITH, 0.5, window=True), Node(3, Layout.SPLITH, 0.5, window=True)
    ws = Workspace("1", 1, Layout.SPLITV, (a, b))
    assert plan_units((ws,), {2, 3}, can_wrap=True).wrap == (ws,)
    on_sway = plan_units((ws,), {2, 3}, can_wrap=False)
    assert [u.root for u in on_sway.units] == [a, b]
    wrapper = Node(9, Layout.SPLITV, 1.0, children=(a, b))
    # Wrapped, and on every later switch (the wrapper came back with it and stayed):
    # one unit, at the top of its workspace, with nothing left to wrap.
    again = plan_units((Workspace("1", 1, Layout.SPLITV, (wrapper,)),), {2, 3}, can_wrap=True)
    assert again.wrap == ()
    assert [u.root for u in again.units] == [wrapper]
    assert again.units[0].slot.index == 0 and again.units[0].slot.anchor is None


def test_a_mark_of_an_earlier_version_that_asked_to_dissolve_a_wrapper_still_reads() -> None:
    restore = parse_restore("_i3p_restore:t1:0,i=0,p=10000,o=h,w=1,f=1:3")
    assert restore is not None and restore.slot is not None
    assert (restore.slot.index, restore.slot.focused, restore.workspace) == (0, True, "3")


def test_every_window_of_a_unit_carries_the_unit_and_only_one_the_focus() -> None:
    a = Node(2, Layout.SPLITH, 0.3, window=True, x11=20)
    b = Node(3, Layout.SPLITH, 0.5, window=True, x11=30)
    c = Node(4, Layout.SPLITH, 0.5, window=True, x11=40)
    g = Node(5, Layout.SPLITH, 0.7, window=True, x11=50)
    inner = Node(6, Layout.SPLITV, 0.7, children=(b, c))
    outer = Node(7, Layout.SPLITH, 1.0, children=(a, inner, g))
    ws = Workspace("w", 1, Layout.SPLITH, (outer,))
    plan = plan_units((ws,), {2, 3, 4}, can_wrap=True)
    assert [u.root.con_id for u in plan.units] == [2, 6]
    windows = {
        i: Window(i, marks=(assignment_mark("p", f"t{i}"),), workspace="w") for i in (2, 3, 4)
    }
    marked = unit_marks(plan.units[1], windows, focused=4)
    slots = [parse_restore(m.mark) for m in marked]
    assert [r.slot.focused for r in slots if r and r.slot] == [False, True]
    first = slots[0]
    assert first is not None and first.slot is not None and first.workspace == "w"
    assert (first.slot.index, first.slot.percent, first.slot.layout) == (1, 7000, "h")
    assert first.slot.anchor is not None and first.slot.anchor.window == 50


def test_flatten_safe_sees_a_redundant_pair_and_one_that_a_leaving_unit_makes() -> None:
    a, b = Node(2, Layout.SPLITH, window=True), Node(3, Layout.SPLITH, window=True)
    inner = Node(4, Layout.SPLITH, children=(a, b))
    pair = Node(5, Layout.SPLITV, children=(inner,))
    assert not flatten_safe(Forest((Workspace("1", 1, Layout.SPLITH, (pair,)),)))
    c = Node(6, Layout.SPLITH, window=True)
    mixed = Node(5, Layout.SPLITV, children=(inner, c))
    forest = Forest((Workspace("1", 1, Layout.SPLITH, (mixed,)),))
    assert flatten_safe(forest)
    assert not flatten_safe(forest, {6})
    assert not flatten_safe(forest, arriving=[pair]), "a pair coming back from the scratchpad"
