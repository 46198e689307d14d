"""`i3project diagnose --compare A B`: what changed between two snapshots.

Windows are matched by X11 id (i3 gives a window a new container id when it restarts),
or by container id for a native Wayland window. A window is "hidden" or "shown" when a
switch moved it into or out of the scratchpad, "moved" when its workspace or output
changed otherwise. Events count as context, not as a difference: the exit code says
whether projects, windows, marks, outputs or the active project differ.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

Snapshot = Mapping[str, Any]
SCRATCHPAD = "__i3_scratch"


def _window_key(window: Mapping[str, Any]) -> str:
    xid = int(window.get("x11_id") or 0)
    return f"x{xid}" if xid else f"c{int(window.get('id') or 0)}"


def describe(window: Mapping[str, Any]) -> dict[str, Any]:
    return {key: window.get(key) for key in ("id", "x11_id", "class", "title", "project")}


def _windows(snapshot: Snapshot) -> dict[str, Mapping[str, Any]]:
    return {_window_key(w): w for w in snapshot.get("state", {}).get("windows", [])}


def _projects(snapshot: Snapshot) -> dict[str, Mapping[str, Any]]:
    return {str(p.get("name")): p for p in snapshot.get("state", {}).get("projects", [])}


def _outputs(snapshot: Snapshot) -> dict[str, Mapping[str, Any]]:
    i3 = snapshot.get("i3", {})
    return {str(o.get("name")): o for o in i3.get("outputs", []) if isinstance(o, dict)}


def _moved(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Another workspace, or another known output. The service keeps a window's output as
    of its last tree read: "__i3" (the scratchpad's) can linger after a switch showed the
    window, or its old output after one hid it; neither is a move."""
    if old.get("workspace") != new.get("workspace"):
        return True
    outputs = (old.get("output"), new.get("output"))
    if new.get("workspace") == SCRATCHPAD or any(o in ("", "__i3", None) for o in outputs):
        return False
    return outputs[0] != outputs[1]


RESTORE_PREFIX = "_i3p_restore:"


def _marks(window: Mapping[str, Any]) -> set[str]:
    """The marks that say something: a restore mark on a window that is not hidden is
    one the switch that showed it left on, inert (see model/marks.py), and the next
    switch may rewrite it."""
    marks = set(window.get("marks") or ())
    if window.get("hidden"):
        return marks
    return {m for m in marks if not m.startswith(RESTORE_PREFIX)}


def compare_windows(a: Snapshot, b: Snapshot) -> dict[str, list[dict[str, Any]]]:
    before, after = _windows(a), _windows(b)
    found: dict[str, list[dict[str, Any]]] = {
        "opened": [describe(after[k]) for k in after.keys() - before.keys()],
        "closed": [describe(before[k]) for k in before.keys() - after.keys()],
        "hidden": [],
        "shown": [],
        "moved": [],
        "marks": [],
        "reassigned": [],
    }
    for key in sorted(before.keys() & after.keys()):
        old, new = before[key], after[key]
        place = {"from": old.get("workspace"), "to": new.get("workspace")}
        if bool(old.get("hidden")) != bool(new.get("hidden")):
            kind = "hidden" if new.get("hidden") else "shown"
            found[kind].append({**describe(new), **place})
        elif _moved(old, new):
            found["moved"].append(
                {
                    **describe(new),
                    **place,
                    "output_from": old.get("output"),
                    "output_to": new.get("output"),
                }
            )
        if old.get("project") != new.get("project"):
            found["reassigned"].append({**describe(new), "project_from": old.get("project")})
        old_marks, new_marks = _marks(old), _marks(new)
        if old_marks != new_marks:
            found["marks"].append(
                {
                    **describe(new),
                    "added": sorted(new_marks - old_marks),
                    "removed": sorted(old_marks - new_marks),
                }
            )
    for entries in found.values():
        entries.sort(key=lambda w: (str(w.get("class")), str(w.get("title")), w.get("id") or 0))
    return found


def compare_projects(a: Snapshot, b: Snapshot) -> dict[str, list[str]]:
    before, after = _projects(a), _projects(b)
    ignore = {"last_active"}  # a switch rewrites it; not a change of the project

    def fields(project: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in project.items() if k not in ignore}

    return {
        "added": sorted(after.keys() - before.keys()),
        "removed": sorted(before.keys() - after.keys()),
        "changed": sorted(
            n for n in before.keys() & after.keys() if fields(before[n]) != fields(after[n])
        ),
    }


def compare_outputs(a: Snapshot, b: Snapshot) -> dict[str, Any]:
    before, after = _outputs(a), _outputs(b)
    changed = []
    for name in sorted(before.keys() & after.keys()):
        fields = {
            k: {"from": before[name].get(k), "to": after[name].get(k)}
            for k in ("active", "primary", "rect", "current_workspace")
            if before[name].get(k) != after[name].get(k)
        }
        if fields:
            changed.append({"name": name, **fields})
    return {
        "added": sorted(after.keys() - before.keys()),
        "removed": sorted(before.keys() - after.keys()),
        "changed": changed,
    }


def _started(snapshot: Snapshot) -> object:
    status = snapshot.get("service", {}).get("status", {})
    return status.get("started_us") if isinstance(status, dict) else None


def events_between(a: Snapshot, b: Snapshot) -> dict[str, Any]:
    """B's events after A's last one; how many fell out of B's ring in between."""
    recent_a = (a.get("events") or {}).get("recent") or []
    recent_b = (b.get("events") or {}).get("recent") or []
    same = _started(a) is not None and _started(a) == _started(b)
    if same or _started(a) is None:
        last = recent_a[-1]["id"] if recent_a else 0
        between = [e for e in recent_b if e["id"] > last]
        first = between[0]["id"] if between else int((b.get("events") or {}).get("count", 0)) + 1
        missing = max(0, first - last - 1) if recent_a else 0
    else:
        between = [e for e in recent_b if e.get("time_us", 0) > a.get("taken_us", 0)]
        missing = 0
    types = Counter(str(e.get("type")) for e in between)
    return {
        "service_restarted": not same and _started(a) is not None,
        "count": len(between),
        "missing": missing,
        "types": dict(types.most_common()),
        "list": between,
    }


def compare(a: Snapshot, b: Snapshot) -> dict[str, Any]:
    active = (
        a.get("state", {}).get("active_project", ""),
        b.get("state", {}).get("active_project", ""),
    )
    return {
        "from": a.get("taken_at"),
        "to": b.get("taken_at"),
        "seconds": round((b.get("taken_us", 0) - a.get("taken_us", 0)) / 1e6, 3),
        "active_project": {"from": active[0], "to": active[1]} if active[0] != active[1] else None,
        "projects": compare_projects(a, b),
        "windows": compare_windows(a, b),
        "outputs": compare_outputs(a, b),
        "events": events_between(a, b),
    }


def differs(diff: Mapping[str, Any]) -> bool:
    """Whether anything but the events changed."""
    parts: Sequence[Mapping[str, Any]] = (diff["projects"], diff["windows"], diff["outputs"])
    return diff["active_project"] is not None or any(any(p.values()) for p in parts)


def _who(w: Mapping[str, Any]) -> str:
    project = f" [{w['project']}]" if w.get("project") else ""
    return f"{w.get('id')} {w.get('class') or '?'} {str(w.get('title') or '')[:40]!r}{project}"


def rows(diff: Mapping[str, Any]) -> list[list[str]]:
    """(change, what, detail) rows for people."""
    out: list[list[str]] = []
    if diff["active_project"]:
        ap = diff["active_project"]
        out.append(["active project", ap["from"] or "(none)", f"-> {ap['to'] or '(none)'}"])
    for kind in ("added", "removed", "changed"):
        out += [[f"project {kind}", name, ""] for name in diff["projects"][kind]]
    windows = diff["windows"]
    for kind in ("opened", "closed"):
        out += [[f"window {kind}", _who(w), ""] for w in windows[kind]]
    for kind in ("hidden", "shown", "moved"):
        out += [[f"window {kind}", _who(w), f"{w['from']} -> {w['to']}"] for w in windows[kind]]
    out += [
        ["window reassigned", _who(w), f"from {w['project_from'] or '(none)'}"]
        for w in windows["reassigned"]
    ]
    for w in windows["marks"]:
        detail = " ".join([*(f"+{m}" for m in w["added"]), *(f"-{m}" for m in w["removed"])])
        out.append(["marks changed", _who(w), detail])
    outputs = diff["outputs"]
    out += [[f"output {k}", name, ""] for k in ("added", "removed") for name in outputs[k]]
    for o in outputs["changed"]:
        detail = ", ".join(f"{k} {v['from']} -> {v['to']}" for k, v in o.items() if k != "name")
        out.append(["output changed", o["name"], detail])
    events = diff["events"]
    kinds = ", ".join(f"{t} x{n}" for t, n in events["types"].items())
    lost = f" ({events['missing']} fell out of the ring)" if events["missing"] else ""
    note = " (the service restarted)" if events["service_restarted"] else ""
    out.append(["events between", str(events["count"]) + lost + note, kinds])
    return out
