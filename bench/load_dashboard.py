"""The staff dashboard's data step for the load benchmark (bench/bench_load.py), in a process of
its own on a database of its own: 10,000 students, 200,000 conversations and the rest, built by
bench/bench_dashboard.py's `load()` (BENCH_SCALE shrinks it).

    python load_dashboard.py build DATABASE     fresh database, data, a staff member, one
                                                refresh; prints RESULT {json} with the cookie
    python load_dashboard.py refresh DATABASE   prints READY <hook>, waits for "GO <seconds>
                                                <period>" on stdin, refreshes every period
                                                until then, prints RESULT {json}

The dashboard's figures may be precomputed and refreshed in the background (a Celery beat task
of the staff console). The benchmark does not know that task's name; it looks for it at run
time, in this order, and runs without one if there is none:
1. BENCH_DASHBOARD_REFRESH: `package.module:callable` (a function or a Celery task), or
   `manage.py <command> [args]`, or `none` to look no further;
2. an entry of CELERY_BEAT_SCHEDULE whose name or task mentions the dashboard (or its figures,
   aggregates), run in this process with Celery's eager mode (whatever it sends on runs here);
3. a callable without required arguments in a module of networking_app.console whose name
   says it refreshes (refresh, recompute, precompute, rebuild) the dashboard, its figures or
   aggregates; Celery tasks first;
4. a management command named like that.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import json
import os
import pkgutil
import random
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from common import setup_django

REFRESH_VERB = re.compile(r"refresh|recompute|precompute|rebuild")
DASHBOARD_NOUN = re.compile(r"dashboard|figure|aggregate")
CONSOLE = "networking_app.console"


def _takes_no_arguments(value) -> bool:
    try:
        signature = inspect.signature(getattr(value, "run", value))
    except (TypeError, ValueError):
        return False
    return all(
        p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        for p in signature.parameters.values()
    )


def _celery_app():
    try:
        from networking_app.celery import app
    except ImportError:
        return None
    # Whatever the task sends on (a task per filter, say) runs here too, before it returns.
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    app.loader.import_default_modules()
    return app


def _named(spec: str) -> Callable[[], object]:
    if spec.startswith("manage.py "):
        from django.core.management import call_command

        command, *args = spec.split()[1:]
        return functools.partial(call_command, command, *args)
    _celery_app()
    module_name, _, name = spec.replace(":", ".").rpartition(".")
    return getattr(importlib.import_module(module_name), name)


def _from_beat_schedule() -> tuple[str, Callable[[], object]] | None:
    from django.conf import settings

    for key, entry in getattr(settings, "CELERY_BEAT_SCHEDULE", {}).items():
        task_name = entry.get("task", "")
        if not DASHBOARD_NOUN.search(f"{key} {task_name}".lower()):
            continue
        app = _celery_app()
        task = app.tasks.get(task_name) if app else None
        if task is not None:
            bound = functools.partial(task, *entry.get("args", ()), **entry.get("kwargs", {}))
            return f"beat entry {key!r} (task {task_name})", bound
    return None


def _from_console_modules() -> tuple[str, Callable[[], object]] | None:
    package = importlib.import_module(CONSOLE)
    found = []
    for info in pkgutil.walk_packages(package.__path__, f"{CONSOLE}."):
        if ".migrations" in info.name or ".tests" in info.name:
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:
            continue
        for name, value in vars(module).items():
            lowered = name.lower()
            if (
                callable(value)
                and getattr(value, "__module__", None) == info.name
                and REFRESH_VERB.search(lowered)
                and DASHBOARD_NOUN.search(lowered)
                and _takes_no_arguments(value)
            ):
                is_task = hasattr(value, "delay")
                found.append((not is_task, f"{info.name}.{name}", value))
    if not found:
        return None
    if any(not not_task for not_task, _, _ in found):
        _celery_app()
    _, label, value = sorted(found, key=lambda item: item[:2])[0]
    return label, value


def _from_commands() -> tuple[str, Callable[[], object]] | None:
    from django.core.management import call_command, get_commands

    for name in sorted(get_commands()):
        if REFRESH_VERB.search(name) and DASHBOARD_NOUN.search(name):
            return f"manage.py {name}", functools.partial(call_command, name)
    return None


def find_refresh() -> tuple[str, Callable[[], object]] | None:
    """The dashboard's background refresh as (what it is, a callable), or None."""
    spec = os.environ.get("BENCH_DASHBOARD_REFRESH", "").strip()
    if spec == "none":
        return None
    if spec:
        return spec, _named(spec)
    for finder in (_from_beat_schedule, _from_console_modules, _from_commands):
        found = finder()
        if found:
            return found
    return None


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def build(database: str) -> dict:
    setup_django(database)
    from allauth.mfa.totp.internal.auth import TOTP
    from bench_dashboard import STUDENTS, VOLUNTEERS, load
    from load import LoadSite

    from networking_app.accounts.models import Role, User
    from networking_app.accounts.services import user_finish_staff_setup

    started = time.perf_counter()
    counts = load(random.Random(7))
    load_seconds = time.perf_counter() - started
    staff = User.objects.create_user(
        "load-dashboard-staff@example.edu", "!unusable-but-set!", role=Role.STAFF, is_staff=True
    )
    user_finish_staff_setup(user=staff)
    TOTP.activate(staff, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    refresh = find_refresh()
    return {
        **counts,
        "students": STUDENTS,
        "volunteers": VOLUNTEERS,
        "load_seconds": load_seconds,
        "refresh": refresh[0] if refresh else None,
        "first_refresh_ms": _timed(refresh[1]) if refresh else None,
        "cookie": LoadSite.session_cookie(staff),
    }


def refresh_loop(database: str) -> dict:
    setup_django(database, fresh=False)
    refresh = find_refresh()
    print(f"READY {refresh[0] if refresh else '-'}", flush=True)
    if refresh is None:
        return {"refresh": None, "runs_ms": []}
    command = sys.stdin.readline().split()
    seconds, every = (float(command[1]), float(command[2])) if command[:1] == ["GO"] else (0, 1)
    # As beat would, at a fixed period (the figures' lifetime): a run longer than the period is
    # followed at once by the next.
    began = time.monotonic()
    runs = []
    while time.monotonic() - began < seconds:
        runs.append(_timed(refresh[1]))
        due = began + len(runs) * every
        time.sleep(max(0.0, min(due, began + seconds) - time.monotonic()))
    return {"refresh": refresh[0], "runs_ms": runs}


# --- From the benchmark's own process ---------------------------------------------------------


def start(mode: str, database: str, env: dict[str, str]) -> subprocess.Popen:
    """This module as a process of its own (its errors go to the terminal)."""
    return subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), mode, database],
        cwd=Path(__file__).resolve().parent,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def result_of(process: subprocess.Popen, what: str) -> dict:
    # Not communicate(): it reads the pipe underneath what readline() may have buffered.
    if not process.stdin.closed:
        process.stdin.close()
    out = process.stdout.read()
    process.wait()
    for line in out.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line.removeprefix("RESULT "))
    raise RuntimeError(f"{what} failed (exit {process.returncode}):\n{out[-3000:]}")


def measure_during_refresh(
    site, page, *, database: str, env: dict[str, str], connections: int, seconds: int, every: int
):
    """`page` measured by wrk while a second process refreshes the figures every `every`
    seconds (from a second into the run to a second before its end); (LoadResult, the
    refresher's report)."""
    from load import load_result

    refresher = start("refresh", database, env)
    # "READY <what>", "READY -" without a refresh, "" if it failed to start (traceback above).
    hook = refresher.stdout.readline().removeprefix("READY ").strip()
    site.check(page.path, page.cookie)
    site.wrk_run(page.path, cookie=page.cookie, connections=connections, seconds=2)
    raw: dict = {}
    wrk = threading.Thread(
        target=lambda: raw.update(
            site.wrk_run(page.path, cookie=page.cookie, connections=connections, seconds=seconds)
        )
    )
    wrk.start()
    if hook not in ("", "-"):
        time.sleep(1)
        with contextlib.suppress(OSError):  # it died: result_of() says so below
            refresher.stdin.write(f"GO {max(1, seconds - 2)} {every}\n")
            refresher.stdin.flush()
    wrk.join()
    try:
        with contextlib.suppress(BrokenPipeError):
            refresher.stdin.close()
        report = result_of(refresher, "the refresher")
    except (RuntimeError, OSError) as error:
        # Its traceback went to the terminal; the figures measured are kept.
        report = {"refresh": hook, "runs_ms": [], "failed": str(error)}
    result = load_result(
        raw,
        label=f"{page.label}, figures refreshing",
        path=page.shown or page.path,
        connections=connections,
        seconds=seconds,
    )
    print(
        f"  {result.label}: p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
        f"errors {result.errors}, refreshes {len(report['runs_ms'])}",
        flush=True,
    )
    return result, report


if __name__ == "__main__":
    mode, database = sys.argv[1], sys.argv[2]
    result = build(database) if mode == "build" else refresh_loop(database)
    print(f"RESULT {json.dumps(result)}", flush=True)
