"""The capability modules beside service.py act through the i3 port and read typed events:
none of them reaches the adapter, the connection or i3's JSON, and each stays short."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[2] / "src" / "i3project_dbus"
CAPABILITIES = (
    "manager",
    "tracking",
    "switching",
    "assignment",
    "projects",
    "persistence",
    "journal",
    "background",
    "outputs",
    "snapshots",
    "restoring",
    "recovering",
    "layout_snapshots",
)
# Of i3/, a capability may use only the command builders (pure strings, one quoting rule).
ALLOWED_FROM_I3 = {"commands", "restore_commands"}


def _imported(path: Path) -> set[str]:
    """Every module ``path`` imports, as dotted names relative to the package."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                found.update(f"{base}.{alias.name}".lstrip(".") for alias in node.names)
            else:
                found.add(base)
    return found


def test_capabilities_never_reach_past_the_i3_port() -> None:
    for name in CAPABILITIES:
        imported = _imported(PKG / f"{name}.py")
        from_i3 = {m.split(".")[1] for m in imported if m.startswith("i3.")}
        assert from_i3 <= ALLOWED_FROM_I3, f"{name}.py imports i3.{from_i3 - ALLOWED_FROM_I3}"
        assert not imported & {"json", "i3ipc", "socket", "dbus_fast"}, f"{name}.py: {imported}"


def test_no_capability_module_is_long() -> None:
    for name in CAPABILITIES:
        lines = len((PKG / f"{name}.py").read_text().splitlines())
        assert lines <= 350, f"{name}.py has {lines} lines: it holds two ideas"
