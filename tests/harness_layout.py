"""Helpers for the layout tests: a desk of projects and windows on a real i3 or sway,
and the shape of a workspace's tiling tree as the tests compare it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Set
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from harness import SCRATCHPAD, Con, poll, walk_cons
from harness_extra import WINDOW_IFACE, BusError, Client
from i3project_dbus.model.layout import Forest, Node
from i3project_dbus.model.layout import Layout as Tiling

STAGING = "i3project-staging"
TOLERANCE = 0.01  # how far a percent may be from where it was
DIRECTIONS = ("left", "right", "up", "down")


def is_window(con: Con) -> bool:
    return bool(con.get("window")) or con.get("app_id") is not None


def redundant(con: Con) -> bool:
    """A split container with one child: it looks exactly like its child, and i3 itself
    may flatten it when its child moves (a known gap of the layout switch, see
    docs/reliability.md); fidelity is judged without it."""
    kids = con.get("nodes") or ()
    return (
        not is_window(con)
        and con.get("type") == "con"
        and con.get("layout") in ("splith", "splitv")
        and len(kids) == 1
    )


def shape(con: Con, collapse: bool = False) -> object:
    """Nesting, layouts and window order: a window by its title, a container as
    (layout, children); with ``collapse``, redundant containers left out."""
    if is_window(con):
        return str(con.get("name"))
    if collapse and redundant(con):
        return shape((con.get("nodes") or ())[0], collapse)
    return (con.get("layout"), [shape(c, collapse) for c in con.get("nodes") or ()])


def shares(con: Con, path: str = "") -> Iterator[tuple[str, float]]:
    """Every child's percent of a split parent with several children, by its path."""
    if redundant(con):
        yield from shares((con.get("nodes") or ())[0], path)
        return
    kids = con.get("nodes") or ()
    if con.get("layout") in ("splith", "splitv") and len(kids) > 1:
        total = sum(float(k.get("percent") or 0) for k in kids) or 1.0
        for i, k in enumerate(kids):
            yield f"{path}/{i}", float(k.get("percent") or 0) / total
    for i, k in enumerate(kids):
        yield from shares(k, f"{path}/{i}")


@dataclass
class Layout:
    """The tiled layout of every workspace that holds a window."""

    shapes: dict[str, object] = field(default_factory=dict)
    # the same without redundant containers: what a round trip is judged by
    flat: dict[str, object] = field(default_factory=dict)
    percents: dict[str, dict[str, float]] = field(default_factory=dict)

    def differences(self, other: Layout) -> list[str]:
        found = []
        if self.flat != other.flat:
            found.append(f"shapes differ:\n  before {self.shapes}\n  after  {other.shapes}")
            return found
        for ws, before in self.percents.items():
            after = other.percents.get(ws, {})
            for path, share in before.items():
                if abs(share - after.get(path, -1.0)) > TOLERANCE:
                    found.append(f"{ws}{path}: {share:.3f} before, {after.get(path)} after")
        return found


def layout(tree: Con) -> Layout:
    out = Layout()
    for con, _ws in walk_cons(tree):
        if con.get("type") != "workspace" or con.get("name") in (SCRATCHPAD, STAGING):
            continue
        if not any(is_window(c) for c, _ in walk_cons({"nodes": con.get("nodes") or []})):
            continue
        name = str(con["name"])
        out.shapes[name] = shape(con)
        top = inner_top(con)
        out.flat[name] = shape(top, collapse=True)
        out.percents[name] = dict(shares(top))
    return out


def inner_top(workspace: Con) -> Con:
    """What a workspace's tiling is judged by: the workspace, or its only child when that
    is a split container. A workspace shows its one child at its full size whatever the
    workspace's own layout, so the two draw the same tiles. A workspace that left whole
    comes back in such a container (the one that wrapped it) and keeps it, and a split
    container that comes back alone gets no "split" to set the workspace's layout, which
    once crashed i3 (see model/units.py and model/placement.py)."""
    kids = workspace.get("nodes") or ()
    if len(kids) == 1 and not is_window(kids[0]) and kids[0].get("layout") in ("splith", "splitv"):
        return kids[0]
    return workspace


def window_con(tree: Con, title: str) -> Con | None:
    return next((c for c, _ in walk_cons(tree) if is_window(c) and c.get("name") == title), None)


def assign(client: Client, con_id: int, project: str) -> None:
    """Assign a window by its container id once the service knows it."""

    def path() -> str | None:
        try:
            return str(client.call("GetWindow", "t", con_id)[0])
        except BusError:
            return None

    found = poll(path, timeout=10.0, what=f"the service to know window {con_id}")
    client.call("AssignProject", "s", project, path=found, iface=WINDOW_IFACE)


@st.composite
def scenes(draw: st.DrawFn) -> dict[str, Any]:
    """Windows (owner "a", "b" or "" for global; workspace; split before it opens) and
    the moves, resizes and splits done after they are all open."""
    n = draw(st.integers(2, 12))
    owners = draw(st.lists(st.sampled_from("ab"), min_size=n, max_size=n))
    owners.insert(draw(st.integers(0, n)), "")
    spaces = draw(st.integers(1, 3))
    windows = [
        (owner, str(draw(st.integers(1, spaces))), draw(st.sampled_from(["", "h", "v"])))
        for owner in owners
    ]
    ops = draw(
        st.lists(
            st.one_of(
                st.tuples(st.just("move"), st.integers(0, n), st.sampled_from(DIRECTIONS)),
                st.tuples(
                    st.just("resize"),
                    st.integers(0, n),
                    st.sampled_from(["width", "height"]),
                    st.integers(15, 70),
                ),
                st.tuples(st.just("split"), st.integers(0, n), st.sampled_from("hv")),
            ),
            max_size=6,
        )
    )
    return {"windows": windows, "ops": ops}


# sway squashes redundant split pairs on directional moves; the sway property test keeps
# to scenes that have none (see test_layout_sway.sway_keeps).
def _redundant(node: Node, parent: Tiling, away: Set[int]) -> bool:
    kids = [c for c in node.children if c.con_id not in away]
    if not node.window and node.layout.split and len(kids) == 1:
        child = kids[0]
        if not child.window and child.layout.split:
            own, inner = node.layout.horizontal, child.layout.horizontal
            if own != inner and inner == parent.horizontal:
                return True
    return any(_redundant(c, node.layout, away) for c in kids if not c.window)


def flatten_safe(
    forest: Forest, away: Set[int] = frozenset(), arriving: Iterable[Node] = ()
) -> bool:
    """No split container is a redundant pair with its only child, once the containers
    in ``away`` are gone and those ``arriving`` are in. i3 merges such pairs anywhere in
    the tree after every directional move (tree_flatten); where there is none, such a
    move changes nothing but the container it moves. Where an arriving subtree lands is
    not known here, so its root counts as redundant under either orientation."""
    for ws in forest.workspaces:
        for child in ws.children:
            if child.con_id not in away and _redundant(child, ws.layout, away):
                return False
    for root in arriving:
        if any(_redundant(root, layout, away) for layout in (Tiling.SPLITH, Tiling.SPLITV)):
            return False
    return True
