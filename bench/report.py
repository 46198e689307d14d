"""Statistics on samples, and the table every run prints."""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples) if samples else math.nan


def pct(samples: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    if math.isnan(seconds):
        return "n/a"
    value = seconds * 1000
    return (
        f"{value:.3f} ms" if value < 1 else f"{value:.2f} ms" if value < 100 else f"{value:.0f} ms"
    )


def ratio_str(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "n/a"
    return f"{value:.2f}x" if value < 100 else f"{value:.0f}x"


@dataclass
class Row:
    """One line of the table. `met` is None when the row has no goal or could not run."""

    id: str
    figure: str
    measured: str
    comparison: str
    ratio: float | None
    goal: str
    met: bool | None
    note: str = ""
    data: dict[str, object] = field(default_factory=dict)


def table(rows: Sequence[Row]) -> str:
    head = ("#", "figure", "measured", "floor / comparison", "ratio", "goal", "met")
    lines = [head]
    for r in rows:
        met = "-" if r.met is None else "yes" if r.met else "NO"
        lines.append((r.id, r.figure, r.measured, r.comparison, ratio_str(r.ratio), r.goal, met))
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(head))]
    out = []
    for n, line in enumerate(lines):
        out.append(
            "| " + " | ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)) + " |"
        )
        if n == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    notes = [f"  {r.id}: {r.note}" for r in rows if r.note]
    if notes:
        out += ["", "notes:", *notes]
    return "\n".join(out)


def to_json(rows: Sequence[Row], meta: dict[str, object]) -> str:
    return json.dumps({"meta": meta, "rows": [asdict(r) for r in rows]}, indent=2, default=str)
