"""Layout snapshots: JSON round trip, refusal of malformed and future files, matching."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from i3project_dbus.model import errors
from i3project_dbus.model.snapshot import (
    SNAPSHOT_VERSION,
    OpenWindow,
    PathStep,
    SavedWindow,
    Snapshot,
    excluded,
    from_json,
    match,
    to_json,
    validate_snapshot_name,
)


def saved(n: int, **kw: object) -> SavedWindow:
    base: dict[str, object] = dict(
        x11_id=100 + n,
        token=f"t{n}",
        wm_class="XTerm",
        instance="xterm",
        title=f"term {n}",
        role="",
        workspace="2",
        output="LEFT",
        floating=False,
        rect=None,
        path=(PathStep("splith", n, 2, 0.5),),
        argv=("xterm", "-e", "sh"),
        cwd=f"/src/{n}",
        focused=n == 0,
    )
    base.update(kw)
    return SavedWindow(**base)  # type: ignore[arg-type]


def snap(*windows: SavedWindow) -> Snapshot:
    return Snapshot("web", "last", "2026-11-27T10:00:00+00:00", "i3 4.22", windows)


def test_round_trip_through_json_text() -> None:
    s = snap(saved(0), saved(1, floating=True, rect=(10, 20, 300, 200), path=()))
    text = json.dumps(to_json(s))
    assert from_json(json.loads(text), "web", "last") == s
    assert s.focused == saved(0)


@pytest.mark.parametrize("version", [None, 0, SNAPSHOT_VERSION + 1, "1"])
def test_other_versions_are_refused(version: object) -> None:
    data = to_json(snap(saved(0)))
    data["version"] = version
    with pytest.raises(errors.InvalidArgument, match="version"):
        from_json(data, "web", "last")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("workspace", "__i3_scratch"),
        ("workspace", ""),
        ("argv", "xterm"),
        ("argv", ["a\0b"]),
        ("rect", [1, 2, 3]),
        ("path", [["splith", 2, 2, 0.5]]),
        ("path", [["evil", 0, 1, 1.0]]),
        ("floating", "yes"),
        ("x11_id", -1),
        # i3's strtol overflows on these and stops the payload after the windows were staged
        ("rect", [0, 0, 100000000000000000000, 10]),
        ("rect", [-65536, 0, 10, 10]),
        ("rect", [0, 65536, 10, 10]),
        ("rect", [0, 0, 0, 10]),
        ("rect", [0, 0, 10, -5]),
        ("rect", [0, 0, 10, 65536]),
    ],
)
def test_malformed_windows_are_refused(key: str, value: object) -> None:
    data = to_json(snap(saved(0)))
    data["windows"][0][key] = value
    with pytest.raises(errors.InvalidArgument, match="snapshot 'last', window 0"):
        from_json(data, "web", "last")


def test_rects_at_the_bounds_are_read() -> None:
    s = snap(saved(0, floating=True, rect=(-65535, 65535, 1, 65535), path=()))
    assert from_json(to_json(s), "web", "last") == s


@pytest.mark.parametrize(
    ("paths", "message"),
    [
        # two windows in one place: the rebuild made an empty split of them
        ([(0,), (0,)], "windows 0 and 1 have the same path"),
        ([(1, 0), (0,), (1, 0)], "windows 0 and 2 have the same path"),
        # a window's path leading on through another window, in either order
        ([(0,), (0, 1)], "window 1's path leads on through window 0's place"),
        ([(0, 1), (0,)], "window 0's path leads on through window 1's place"),
    ],
)
def test_overlapping_paths_are_refused(paths: list[tuple[int, ...]], message: str) -> None:
    windows = [
        saved(n, path=tuple(PathStep("splith", i, 2, 0.5) for i in path))
        for n, path in enumerate(paths)
    ]
    with pytest.raises(errors.InvalidArgument, match=message):
        from_json(to_json(snap(*windows)), "web", "last")


def test_the_same_path_on_other_workspaces_or_floating_is_fine() -> None:
    s = snap(
        saved(0, path=(PathStep("splith", 0, 2, 0.5),)),
        saved(1, workspace="3", path=(PathStep("splith", 0, 2, 0.5),)),
        saved(2, path=(PathStep("splith", 1, 2, 0.5),)),
        saved(3, floating=True, rect=(1, 2, 3, 4), path=()),
        saved(4, path=()),
        saved(5, path=()),
    )
    assert from_json(to_json(s), "web", "last") == s


def test_a_snapshot_of_another_project_is_refused() -> None:
    with pytest.raises(errors.InvalidArgument, match="belongs to project"):
        from_json(to_json(snap(saved(0))), "api", "last")


@pytest.mark.parametrize("name", ["last", "before-demo", "A_1"])
def test_snapshot_names(name: str) -> None:
    assert validate_snapshot_name(name) == name


@pytest.mark.parametrize("name", ["", "../x", "a/b", ".", "x" * 65, "a b", 3])
def test_bad_snapshot_names(name: object) -> None:
    with pytest.raises(errors.InvalidName):
        validate_snapshot_name(name)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("xterm",), False),
        (("/usr/bin/sudo", "vim"), True),
        (("env", "pkexec", "x"), True),
        (("code", "/src"), False),
        (("my-secret-tool",), True),
        ((), True),
        # Anywhere in the command, shell strings included (a review found the first
        # three words only were looked at).
        (("xterm", "-fa", "Mono", "-e", "sudo", "-i"), True),
        (("sh", "-c", "sudo x"), True),
        (("bash", "-c", "cd /src && exec /usr/bin/pkexec tool"), True),
        (("sh", "-c", "x=$(doas y)"), True),
        (("xterm", "-e", "vim", "su.txt"), False),
    ],
)
def test_exclusion(argv: tuple[str, ...], expected: bool) -> None:
    assert excluded(argv, ["my-secret-tool"]) is expected


def opened(con: int, **kw: object) -> OpenWindow:
    base: dict[str, object] = dict(
        id=con, x11_id=0, token="", wm_class="XTerm", instance="xterm", title=""
    )
    base.update(kw)
    return OpenWindow(**base)  # type: ignore[arg-type]


def test_match_prefers_token_then_id_then_title() -> None:
    s = [saved(0), saved(1), saved(2, wm_class="Emacs", instance="emacs", title="e")]
    o = [
        opened(1, title="term 1"),  # title matches saved 1
        opened(2, token="t0"),  # token matches saved 0
        opened(3, x11_id=102, wm_class="Emacs", instance="emacs"),  # x11 id of saved 2
    ]
    pairs = match(s, o)
    assert {i: w.id for i, w in pairs.items()} == {0: 2, 1: 1, 2: 3}


@given(
    st.lists(st.sampled_from(["XTerm", "Emacs", "Code"]), max_size=8),
    st.lists(st.sampled_from(["XTerm", "Emacs", "Code"]), max_size=8),
)
def test_match_uses_each_window_once(saved_classes: list[str], open_classes: list[str]) -> None:
    s = [saved(i, wm_class=c, token="") for i, c in enumerate(saved_classes)]
    o = [opened(10 + i, wm_class=c) for i, c in enumerate(open_classes)]
    pairs = match(s, o)
    assert len({w.id for w in pairs.values()}) == len(pairs)
    for i, w in pairs.items():
        assert w.wm_class == s[i].wm_class
    for c in {"XTerm", "Emacs", "Code"}:
        assert sum(1 for i in pairs if s[i].wm_class == c) == min(
            saved_classes.count(c), open_classes.count(c)
        )


def test_layout_settings_defaults_and_errors() -> None:
    from i3project_dbus.model.restore_settings import LayoutSettings, parse_layout_settings

    assert parse_layout_settings({}, "c") == (LayoutSettings(), [])
    good, errs = parse_layout_settings(
        {
            "autosave": False,
            "autosave_minutes": 0,
            "restore_on_start": True,
            "restore_exclude": ["vault"],
            "restore": {"Code": {"command": ["code", "$PROJECT_DIR"]}},
        },
        "c",
    )
    assert errs == []
    assert good == LayoutSettings(False, 0, True, ("vault",), {"Code": ("code", "$PROJECT_DIR")})
    bad, errs = parse_layout_settings(
        {
            "autosave": "yes",
            "autosave_minutes": -1,
            "restore_exclude": "sudo",
            "restore": {"Code": {"command": "code"}, "XTerm": {"command": ["xterm"]}},
        },
        "c",
    )
    assert len(errs) == 4
    assert bad.autosave is True and bad.autosave_minutes == 10 and bad.exclude == ()
    assert bad.commands == {"XTerm": ("xterm",)}
    # The timer takes fractions of a minute, down to 0.01 (0.6 s); 0 is off.
    half, errs = parse_layout_settings({"autosave_minutes": 0.5}, "c")
    assert errs == [] and half.autosave_minutes == 0.5
    for wrong in (0.001, 1441, True, "5"):
        fallback, errs = parse_layout_settings({"autosave_minutes": wrong}, "c")
        assert len(errs) == 1 and fallback.autosave_minutes == 10, wrong
