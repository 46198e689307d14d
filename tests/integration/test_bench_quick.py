"""The benchmark suite's quick mode runs and prints every row of issue 6 (no timing is judged)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINARIES = ("Xvfb", "i3", "i3-msg", "dbus-daemon", "busctl")

pytestmark = pytest.mark.integration


@pytest.mark.timeout(600)
def test_quick_bench_produces_every_row(tmp_path: Path) -> None:
    missing = [b for b in BINARIES if shutil.which(b) is None]
    if missing:
        reason = (
            f"integration prerequisite missing: {', '.join(missing)}; scripts/test installs them"
        )
        if os.environ.get("I3PROJECT_REQUIRE_INTEGRATION"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--quiet", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=540,
    )
    assert proc.returncode == 0, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    rows = json.loads(out.read_text())["rows"]
    ids = [row["id"] for row in rows]
    for row_id in [*"123456789", "10", "11", "12"]:
        assert row_id in ids, f"row {row_id} missing from:\n{proc.stdout}"
    assert ids.count("1") == 2  # Get ActiveProject, GetProject
    # three sizes, the per-window speed-up, PropertiesChanged per window, the round trips
    assert ids.count("2") == 6
    (signals,) = [row for row in rows if "PropertiesChanged per window" in row["figure"]]
    assert signals["met"] is not None, signals
    assert ids.count("4") == 2  # burst throughput, paced lag
    assert ids.count("5") == 2  # idle, many windows
    assert ids.count("9") == 2  # layouts kept: whole workspaces, interleaved windows
    # 10: a launched app's window to its project; 11: a monitor back, moves acknowledged
    assert ids.count("12") == 2  # restore of scrambled windows, restore relaunching xterms
    figures = " ".join(row["figure"] for row in rows if row["id"] == "8")
    assert "busctl" in figures and "i3project switch" in figures
    for row in rows:
        assert row["measured"], row
        assert not row["measured"].startswith("failed"), row
    # The table itself is printed with every row.
    assert proc.stdout.count("\n| ") >= len(rows)
