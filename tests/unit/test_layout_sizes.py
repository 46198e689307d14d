"""Sizing after a return, and the restore mark's slot: pure tests."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from i3project_dbus.model.layout import Layout, Node, Workspace
from i3project_dbus.model.marks import (
    PERCENT_SCALE,
    Anchor,
    Slot,
    parse_restore,
    restore_mark,
)
from i3project_dbus.model.sizing import plan_sizes, wanted

LENGTH = 1280


def _children(percents: list[float]) -> tuple[Node, ...]:
    return tuple(Node(i + 1, Layout.SPLITH, p, window=True) for i, p in enumerate(percents))


@settings(max_examples=300)
@given(
    st.lists(st.integers(50, 1000), min_size=2, max_size=8),
    st.data(),
)
def test_border_moves_reach_the_wanted_shares_and_never_squeeze_a_child(
    weights: list[int], data: st.DataObject
) -> None:
    total = sum(weights)
    children = _children([w / total for w in weights])
    chosen = data.draw(st.sets(st.integers(0, len(children) - 1), min_size=1))
    shares = {children[i].con_id: data.draw(st.integers(300, 9000 // len(chosen))) for i in chosen}
    parent = Workspace("1", 99, Layout.SPLITH, children, size=(LENGTH, 800))
    pixels = [w / total * LENGTH for w in weights]
    for move in plan_sizes(parent, shares):
        i = next(k for k, c in enumerate(children) if c is move.node)
        pixels[i] += move.pixels
        pixels[i + 1] -= move.pixels
        assert min(pixels) > 0, "a border passed its neighbour"
    want = wanted(children, shares)
    for got, exp in zip(pixels, want, strict=True):
        assert abs(got / LENGTH - exp) <= 1.0 / LENGTH
    others = len(children) - len(shares)
    if others and PERCENT_SCALE - sum(shares.values()) >= 0.02 * others * PERCENT_SCALE:
        for con_id, share in shares.items():
            assert abs(pixels[con_id - 1] / LENGTH - share / PERCENT_SCALE) <= 1.0 / LENGTH


def test_tabbed_and_single_children_need_no_resize() -> None:
    kids = _children([0.5, 0.5])
    assert plan_sizes(Workspace("1", 9, Layout.SPLITH, kids[:1], size=(LENGTH, 1)), {1: 3000}) == []
    tabbed = Node(9, Layout.TABBED, children=kids, size=(LENGTH, 800))
    assert plan_sizes(tabbed, {1: 3000}) == []


def test_the_measured_case_comes_back_to_thirty_percent() -> None:
    kids = _children([0.5, 0.5])
    moves = plan_sizes(Workspace("1", 9, Layout.SPLITH, kids, size=(LENGTH, 800)), {1: 3000})
    assert [(m.node.con_id, m.direction, m.pixels) for m in moves] == [(1, "right", -256)]


slots = st.builds(
    Slot,
    index=st.integers(0, 50),
    percent=st.integers(1, PERCENT_SCALE),
    layout=st.sampled_from("hvts"),
    anchor=st.none() | st.builds(Anchor, st.integers(1, 2**32), st.booleans(), st.integers(1, 9)),
    fullscreen=st.booleans(),
    focused=st.booleans(),
)


@given(slots, st.text(min_size=1).filter(lambda s: not s.startswith("__")))
def test_a_slot_round_trips_through_its_mark(slot: Slot, workspace: str) -> None:
    mark = restore_mark("a1", False, workspace, None, slot)
    parsed = parse_restore(mark)
    assert parsed is not None
    assert (parsed.slot, parsed.workspace, parsed.floating) == (slot, workspace, False)


def test_older_marks_still_read_and_odd_slots_are_refused() -> None:
    assert parse_restore("_i3p_restore:t:0:ws") is not None
    old = parse_restore("_i3p_restore:t:1,1,2,30,40:a:b")
    assert old is not None and old.rect == (1, 2, 30, 40) and old.workspace == "a:b"
    assert old.slot is None
    for bad in ("0,i=1", "0,i=1,p=0,o=h", "0,i=1,p=5,o=q", "0,i=x,p=5,o=h", "0,i=1,p=5,o=h,a=y1.1"):
        assert parse_restore(f"_i3p_restore:t:{bad}:ws") is None, bad
    assert parse_restore("_i3p_restore:t:0,i=1,p=5,o=h,a=x1.0:ws") is None
    assert parse_restore("_i3p_restore:t:0,i=1,p=5,o=h,i=2:ws") is None
