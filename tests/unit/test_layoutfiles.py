"""Snapshot files: atomic, private, refused when corrupt and then left untouched."""

import os
from pathlib import Path

import pytest

from i3project_dbus.layoutfiles import LayoutStore
from i3project_dbus.model import errors
from i3project_dbus.model.recovery import Remembered
from i3project_dbus.model.snapshot import PathStep, SavedWindow, Snapshot


def snapshot(name: str = "last") -> Snapshot:
    w = SavedWindow(
        7, "t", "XTerm", "xterm", "t", "", "2", "", False, None,
        (PathStep("splith", 0, 1, 1.0),), ("xterm",), "/tmp", True,
    )  # fmt: skip
    return Snapshot("web", name, "now", "i3 4.22", (w,))


def test_save_load_list_delete(tmp_path: Path) -> None:
    store = LayoutStore(tmp_path)
    store.save(snapshot())
    store.save(snapshot("demo"))
    path = tmp_path / "layouts" / "web" / "last.json"
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert store.load("web", "last") == snapshot()
    assert store.names("web") == ["demo", "last"]
    assert store.names("api") == []
    store.delete("web", "demo")
    assert store.names("web") == ["last"]
    with pytest.raises(errors.NoSuchLayout):
        store.delete("web", "demo")
    with pytest.raises(errors.NoSuchLayout):
        store.load("web", "demo")


@pytest.mark.parametrize("content", [b"{not json", b'{"version": 2, "project": "web"}', b"[]"])
def test_corrupt_and_future_files_are_refused_and_kept(tmp_path: Path, content: bytes) -> None:
    store = LayoutStore(tmp_path)
    path = store.path("web", "last")
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with pytest.raises(errors.ConfigError, match="left as it is"):
        store.load("web", "last")
    assert path.read_bytes() == content


@pytest.mark.parametrize(("project", "name"), [("web", "../x"), ("../web", "last"), ("web", "")])
def test_names_never_make_paths(tmp_path: Path, project: str, name: str) -> None:
    with pytest.raises(errors.InvalidName):
        LayoutStore(tmp_path).path(project, name)


def test_memory_round_trip(tmp_path: Path) -> None:
    store = LayoutStore(tmp_path)
    assert store.load_memory() == {}
    memory = {5: Remembered("web", "t", "2", True, (1, 2, 3, 4))}
    store.save_memory(memory)
    assert store.load_memory() == memory
    store.memory_file.write_text("{broken")
    assert store.load_memory() == {}


def test_a_file_from_a_newer_version_is_never_overwritten(tmp_path: Path) -> None:
    store = LayoutStore(tmp_path)
    path = store.path("web", "last")
    path.parent.mkdir(parents=True)
    newer = b'{"version": 2, "project": "web", "windows": [{"a future field": 1}]}'
    path.write_bytes(newer)
    for keep in (False, True):
        with pytest.raises(errors.ConfigError, match="version 2, saved by a newer"):
            store.save(snapshot(), keep_previous=keep)
        assert path.read_bytes() == newer
    assert store.names("web") == ["last"]  # nothing kept as "previous" either
    path.write_bytes(b"{broken")  # one that cannot be read at all may be replaced
    store.save(snapshot())
    assert store.load("web", "last") == snapshot()


def test_an_autosave_keeps_the_last_before_it_as_previous(tmp_path: Path) -> None:
    store = LayoutStore(tmp_path)
    assert store.save(snapshot(), keep_previous=True) is False  # nothing to keep yet
    session = store.path("web", "last").read_bytes()
    after_login = Snapshot("web", "last", "later", "i3 4.22", ())
    assert store.save(after_login, keep_previous=True) is True
    assert store.path("web", "previous").read_bytes() == session
    assert os.stat(store.path("web", "previous")).st_mode & 0o777 == 0o600
    assert store.load("web", "previous").windows == snapshot().windows
    assert store.load("web", "last").windows == ()
    assert store.names("web") == ["last", "previous"]
    assert not list(store.path("web", "last").parent.glob(".*"))  # no link left over
    # a "previous" from a newer version stays; "last" is written all the same
    store.path("web", "previous").write_text('{"version": 9}')
    assert store.save(snapshot(), keep_previous=True) is False
    assert store.path("web", "previous").read_text() == '{"version": 9}'
    assert store.load("web", "last") == snapshot()
