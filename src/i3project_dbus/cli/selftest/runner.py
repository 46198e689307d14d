"""Running the scenarios: one at a time, each undone before the next, the whole run undone
at the end, whatever ends it (a failure, Ctrl-C, SIGTERM, SIGHUP)."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from types import FrameType
from typing import Any, Protocol

from ..client import Client
from ..errors import UNREACHABLE, CliError
from .probe import Failed, Probe, Skipped
from .sandbox import Sandbox, remove_leftovers
from .xwindow import Unavailable

INTERRUPTED = 130
CLEANUP = "cleanup"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Status(Enum):
    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"


class Context:
    """What a scenario works with: the sandbox it makes things in, the probe it reads
    with, and the measurements it reports (kept whether it passes or fails)."""

    def __init__(self, sandbox: Sandbox) -> None:
        # Where the scenario makes its projects and windows (undone after it).
        self.sandbox = sandbox
        # The service, to act on (client) and to read (probe).
        self.client = sandbox.client
        self.probe = Probe(sandbox.client)
        # Measurements and facts to report with the result: name -> plain JSON value.
        self.details: dict[str, Any] = {}

    def check(self, condition: object, message: str) -> None:
        if not condition:
            raise Failed(message)


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    summary: str
    run: Callable[[Context], None]
    # Run only when asked (--include-restart, or named): it disturbs the session more.
    optional: bool = False


@dataclass(frozen=True, slots=True)
class Result:
    name: str
    summary: str
    status: Status
    reason: str = ""
    duration_s: float = 0.0
    details: Mapping[str, Any] = field(default_factory=dict)


class Reporter(Protocol):
    """A format: told of the plan, each scenario as it starts and ends, and the end."""

    def start(self, plan: Sequence[Scenario], info: Mapping[str, Any]) -> None: ...
    def begin(self, scenario: Scenario) -> None: ...
    def finish(self, result: Result) -> None: ...
    def bail(self, reason: str) -> None: ...
    def end(self, results: Sequence[Result], code: int) -> None: ...


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP, handled like Ctrl-C: stop, clean up, report."""


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signal.Signals(signum).name)


@contextmanager
def _signals(handler: Any) -> Iterator[None]:
    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def run_one(scenario: Scenario, sandbox: Sandbox) -> Result:
    """Run one scenario and undo what it made; an undo that fails fails the scenario."""
    ctx = Context(sandbox)
    start = time.monotonic()
    status, reason = Status.PASS, ""
    try:
        scenario.run(ctx)
    except Failed as exc:
        status, reason = Status.FAIL, str(exc)
    except (Skipped, Unavailable) as exc:
        status, reason = Status.SKIP, str(exc)
    except CliError as exc:
        status, reason = Status.FAIL, exc.message
        if exc.code == UNREACHABLE:
            ctx.details["unreachable"] = True
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # a bug in a scenario must not skip the cleanup
        status, reason = Status.FAIL, f"internal error: {type(exc).__name__}: {exc}"
    problems = sandbox.release()
    if problems:
        status = Status.FAIL
        reason = "; ".join(filter(None, [reason, "cleaning up: " + "; ".join(problems)]))
    return Result(
        scenario.name, scenario.summary, status, reason, time.monotonic() - start, dict(ctx.details)
    )


def not_run(scenario: Scenario, reason: str) -> Result:
    return Result(scenario.name, scenario.summary, Status.SKIP, reason)


def exit_code(results: Sequence[Result], interrupted: bool) -> int:
    if interrupted:
        return INTERRUPTED
    if any(r.details.get("unreachable") for r in results):
        return UNREACHABLE
    return 1 if any(r.status is Status.FAIL for r in results) else 0


def service_info(client: Client, leftovers: Sequence[str]) -> dict[str, Any]:
    state = client.state()
    return {
        "service_version": state.get("version", ""),
        "window_manager": state.get("window_manager", ""),
        "connected": bool(state.get("connected")),
        "active_project": state.get("active_project", ""),
        "removed_leftovers": list(leftovers),
    }


def execute(
    plan: Sequence[tuple[Scenario, str]],
    reporter: Reporter,
    keep_going: bool,
    timeout: float,
) -> int:
    """Run the plan ((scenario, reason not to run it or "")); return the exit code."""
    client = Client(timeout=timeout)
    results: list[Result] = []
    try:
        with _signals(_interrupt):
            try:
                leftovers = remove_leftovers(client)
                info = service_info(client, leftovers)
                sandbox = Sandbox(client)
            except CliError as exc:
                reporter.bail(exc.message)
                return exc.code
            except KeyboardInterrupt:
                reporter.bail("interrupted before the first scenario")
                return INTERRUPTED
            reporter.start([s for s, _ in plan], info)
            try:
                interrupted = _run_plan(plan, sandbox, reporter, keep_going, results)
            finally:
                client.close()
                results.append(_final_cleanup(sandbox, timeout, reporter))
    finally:
        client.close()
    code = exit_code(results, interrupted)
    reporter.end(results, code)
    return code


def _run_plan(
    plan: Sequence[tuple[Scenario, str]],
    sandbox: Sandbox,
    reporter: Reporter,
    keep_going: bool,
    results: list[Result],
) -> bool:
    """Run each scenario in turn, appending to ``results``; whether it was interrupted."""
    stop = ""
    try:
        for scenario, skip in plan:
            if skip or stop:
                result = not_run(scenario, skip or stop)
            else:
                reporter.begin(scenario)
                result = run_one(scenario, sandbox)
                if result.status is Status.FAIL and not keep_going:
                    stop = f"not run: {scenario.name} failed (--keep-going runs the rest)"
            results.append(result)
            reporter.finish(result)
    except KeyboardInterrupt as exc:
        why = f"interrupted ({exc or 'SIGINT'})"
        done = {r.name for r in results}
        for scenario, _ in plan:
            if scenario.name not in done:
                results.append(Result(scenario.name, scenario.summary, Status.SKIP, why))
                reporter.finish(results[-1])
        return True
    return False


def _final_cleanup(sandbox: Sandbox, timeout: float, reporter: Reporter) -> Result:
    """Undo everything with further stop signals ignored, on a new connection: an
    interrupt may have landed halfway through a message on the old one."""
    scenario = Scenario(CLEANUP, "the user's session as it was", lambda ctx: None)
    start = time.monotonic()
    with _signals(signal.SIG_IGN), Client(timeout=timeout) as fresh:
        problems = sandbox.cleanup(fresh)
    status = Status.FAIL if problems else Status.PASS
    result = Result(
        CLEANUP,
        scenario.summary,
        status,
        "; ".join(problems),
        time.monotonic() - start,
        {"active_project": sandbox.original_active},
    )
    reporter.finish(result)
    return result
