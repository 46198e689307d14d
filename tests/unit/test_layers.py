"""House rules that keep the layers apart."""

import ast
import subprocess
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parents[2] / "src" / "i3project_dbus"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_model_is_pure() -> None:
    for path in (PKG / "model").glob("*.py"):
        banned = _imports(path) & {"dbus_fast", "dbus_next", "i3ipc", "os", "socket", "asyncio"}
        assert not banned, f"{path.name} imports {banned}"


def test_only_the_cli_imports_rich() -> None:
    for path in PKG.rglob("*.py"):
        if "cli" in path.relative_to(PKG).parts:
            continue
        assert "rich" not in _imports(path), path


def test_service_start_does_not_load_rich() -> None:
    code = "import sys, i3project_dbus.service; print('rich' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
