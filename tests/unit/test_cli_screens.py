"""The outputs table, the reassign command's output and the diagnose rules about outputs."""

from __future__ import annotations

import argparse
import io
import json
from typing import Any

import pytest

from i3project_dbus.cli import screens
from i3project_dbus.cli.parser import build_parser
from i3project_dbus.dbus import names

OBJECTS = {
    names.output_path("RIGHT"): {
        names.OUTPUT_IFACE: {
            "Name": "RIGHT", "Active": False, "Primary": False, "Rect": [800, 0, 800, 1000],
            "CurrentWorkspace": "", "Workspaces": ["7"], "Make": "", "Model": "", "Serial": "",
        }
    },
    names.output_path("LEFT"): {
        names.OUTPUT_IFACE: {
            "Name": "LEFT", "Active": True, "Primary": True, "Rect": [0, 0, 800, 1000],
            "CurrentWorkspace": "1", "Workspaces": ["1", "2"], "Make": "Dell Inc.",
            "Model": "U2415", "Serial": "",
        }
    },
    names.MANAGER_PATH: {names.MANAGER_IFACE: {"ActiveProject": ""}},
}  # fmt: skip


class FakeClient:
    """What the commands ask of the client; the D-Bus calls themselves are tested live."""

    def __init__(self, moves: list[tuple[str, str]]) -> None:
        self.moves = moves
        self.calls: list[tuple[Any, ...]] = []

    def managed_objects(self) -> Any:
        return OBJECTS

    def manager(self, method: str, signature: str | None = None, *args: Any) -> tuple[Any, ...]:
        self.calls.append((method, signature, *args))
        return ([list(m) for m in self.moves],)


def run(argv: list[str], client: FakeClient, monkeypatch: pytest.MonkeyPatch) -> str:
    args: argparse.Namespace = build_parser().parse_args(argv)
    stream = io.StringIO()
    monkeypatch.setattr("sys.stdout", stream)
    assert screens.HANDLERS[args.command](args, client) == 0  # type: ignore[arg-type]
    return stream.getvalue()


def test_rows_active_first_left_to_right() -> None:
    rows = screens.output_rows(OBJECTS)
    assert [r["name"] for r in rows] == ["LEFT", "RIGHT"]
    assert rows[0]["rect"] == [0, 0, 800, 1000] and rows[0]["workspaces"] == ["1", "2"]


def test_outputs_plain_and_json(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = run(["outputs"], FakeClient([]), monkeypatch)
    assert plain.splitlines() == [
        "LEFT\tyes\tyes\t800x1000+0+0\t1\t1 2\tDell Inc. U2415",
        "RIGHT\tno\t\t800x1000+800+0\t\t7\t",
    ]
    data = json.loads(run(["outputs", "--json"], FakeClient([]), monkeypatch))
    assert data[1]["name"] == "RIGHT" and data[1]["active"] is False


def test_reassign_dry_run_passes_the_option(monkeypatch: pytest.MonkeyPatch) -> None:
    client = FakeClient([("2", "RIGHT")])
    assert run(["reassign", "--dry-run"], client, monkeypatch) == "2\tRIGHT\n"
    assert client.calls == [("ReassignWorkspaces", "a{sv}", {"dry_run": ("b", True)})]
    data = json.loads(run(["reassign", "--json"], FakeClient([]), monkeypatch))
    assert data == {"dry_run": False, "moves": []}
    assert run(["reassign"], FakeClient([]), monkeypatch) == "no moves\n"


def test_diagnose_rules() -> None:
    rows = screens.output_rows(OBJECTS)
    found = screens.check_outputs(rows, [("2", "RIGHT")])
    assert [m.kind for m in found] == ["workspace-on-inactive-output", "workspace-away-from-output"]
    assert "'7'" in found[0].message and "'LEFT'" in found[1].message
    assert screens.check_outputs(rows[:1], []) == []
