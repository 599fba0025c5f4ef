"""Load harness: pages served by gunicorn on PostgreSQL, driven by wrk from a second process.

A benchmark (bench_events.py, issue 9's) fills its database first, then:

    os.environ["DJANGO_SETTINGS_MODULE"] = LOAD_SETTINGS   # before setup_django()
    setup_django("rapport_bench_x")
    ... bulk_create the data ...
    with LoadSite() as site:
        cookie = site.session_cookie(student)
        results = site.run(
            [
                Page("bare view", BARE_PATH),
                Page("month", "/events/"),
                Page("staff dashboard", "/staff/", cookie=site.session_cookie(staff)),
            ],
            cookie=cookie, connections=20, seconds=20,
        )
    print(results_table(results))   # Markdown, with each page's ratio to the bare view

`LoadSite` starts gunicorn (sync workers, 2 x cores + 1, or BENCH_WORKERS) on the same database
with bench/loadsite/settings.py: the project's settings with DEBUG off, and a URLconf that adds
`bare/`, a signed-in page rendering a tiny template behind the same middleware stack (never a
production route). Each page is checked once (it must answer 200 to that cookie, not a login
redirect), warmed up, then measured with `wrk --latency` and a Lua script that counts every
non-2xx answer (wrk's own count lets redirects pass) and reports p50/p95/p99.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOAD_SETTINGS = "bench.loadsite.settings"
BARE_PATH = "/bare/"
WRK = os.environ.get("WRK", "/usr/bin/wrk")

LUA = r"""
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  last_bad = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    last_bad = status
  end
end

function done(summary, latency, requests)
  local bad, last = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
    if thread:get("last_bad") ~= 0 then last = thread:get("last_bad") end
  end
  local e = summary.errors
  io.write(string.format(
    "WRK_JSON {\"requests\": %d, \"duration_us\": %d, \"bytes\": %d, " ..
    "\"p50_us\": %d, \"p95_us\": %d, \"p99_us\": %d, \"max_us\": %d, \"mean_us\": %.1f, " ..
    "\"non2xx\": %d, \"last_bad_status\": %d, \"connect\": %d, \"read\": %d, " ..
    "\"write\": %d, \"timeout\": %d}\n",
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    latency.mean, bad, last, e.connect, e.read, e.write, e.timeout))
end
"""


class LoadError(RuntimeError):
    pass


def require_wrk() -> str:
    """wrk's path, or a clear exit: the load benchmarks need it."""
    path = WRK if os.path.exists(WRK) else shutil.which("wrk")
    if not path:
        raise SystemExit(
            "wrk is not installed, so the load benchmark cannot run.\n"
            "Install it (Debian/Ubuntu: sudo apt-get install wrk) or set WRK=/path/to/wrk."
        )
    return path


def worker_count() -> int:
    env = os.environ.get("BENCH_WORKERS")
    if env:
        return max(1, int(env))
    return 2 * (os.cpu_count() or 1) + 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    # What the results table shows instead of the path (e.g. without a secret token).
    shown: str = ""
    # A `Cookie:` value for this page only (another role's session); default: the run's.
    cookie: str | None = None


@dataclass
class LoadResult:
    label: str
    path: str
    connections: int
    seconds: int
    requests: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    non2xx: int
    socket_errors: int
    last_bad_status: int
    bytes_per_request: float
    # What a custom Lua script reported beside wrk's figures (the mixed run's counts).
    extra: dict = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return self.non2xx + self.socket_errors


def load_result(raw: dict, *, label: str, path: str, connections: int, seconds: int) -> LoadResult:
    """wrk's figures (the WRK_JSON line of a script) as a LoadResult."""
    duration = raw["duration_us"] / 1e6
    requests = raw["requests"]
    known = set(LoadResult.__dataclass_fields__) | {
        "duration_us", "bytes", "p50_us", "p95_us", "p99_us", "max_us", "mean_us",
        "connect", "read", "write", "timeout", "last_bad_status", "non2xx", "requests",
    }  # fmt: skip
    return LoadResult(
        label=label,
        path=path,
        connections=connections,
        seconds=seconds,
        requests=requests,
        rps=requests / duration if duration else 0.0,
        p50_ms=raw["p50_us"] / 1000,
        p95_ms=raw["p95_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        non2xx=raw["non2xx"],
        socket_errors=raw["connect"] + raw["read"] + raw["write"] + raw["timeout"],
        last_bad_status=raw["last_bad_status"],
        bytes_per_request=raw["bytes"] / requests if requests else 0.0,
        extra={k: v for k, v in raw.items() if k not in known},
    )


class LoadSite:
    """gunicorn serving the project (plus the bare view) on the benchmark's database.

    `env` is added to gunicorn's environment: another database (DATABASE_URL), caches off
    (PRIVATE_PAGE_CACHE_SECONDS=0, ...), a cache key prefix of its own."""

    def __init__(
        self,
        *,
        workers: int | None = None,
        port: int | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.wrk = require_wrk()
        self.env = env or {}
        self.workers = workers or worker_count()
        self.port = port or _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed in stop())
            prefix="rapport-gunicorn-", suffix=".log", delete=False
        )

    # --- gunicorn ---------------------------------------------------------------------------

    def start(self) -> LoadSite:
        env = {
            **os.environ,
            **self.env,
            "DJANGO_SETTINGS_MODULE": LOAD_SETTINGS,
            "DEBUG": "false",
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        }
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "networking_app.wsgi:application",
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={self.workers}",
            "--worker-class=sync",
            "--backlog=2048",
            "--timeout=60",
            "--log-level=warning",
        ]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise LoadError(f"gunicorn exited at start:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        self.stop()
        raise LoadError(f"gunicorn did not answer /healthz within 60 s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        self.log.close()

    def log_tail(self, lines: int = 40) -> str:
        self.log.flush()
        text = Path(self.log.name).read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> LoadSite:
        return self.start()

    def __exit__(self, exc_type, exc, traceback) -> None:
        self.stop()
        if exc_type is None:
            Path(self.log.name).unlink(missing_ok=True)
        else:
            print(f"gunicorn's log: {self.log.name}", file=sys.stderr)

    # --- Signing in ------------------------------------------------------------------------

    @staticmethod
    def session_cookie(user) -> str:
        """A `Cookie:` header value for a session of `user`, made by Django's test client in
        this process (same database and SECRET_KEY as gunicorn)."""
        from django.conf import settings
        from django.test import Client

        client = Client()
        client.force_login(user)
        return (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )

    # --- Load ------------------------------------------------------------------------------

    @staticmethod
    def _opener():
        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        return urllib.request.build_opener(NoRedirect)

    def post(self, path: str, data: dict[str, str], *, cookie: str) -> tuple[int, str]:
        """One form POST, redirects not followed: (status, Location)."""
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(f"{self.base_url}{path}", data=body, method="POST")
        request.add_header("Cookie", cookie)
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with self._opener().open(request, timeout=60) as answer:
                answer.read()
                return answer.status, answer.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", "")

    def check(self, path: str, cookie: str | None) -> int:
        """One plain request: the page must answer 200 (a redirect to the login page means the
        cookie does not work, and wrk would happily measure redirects)."""
        request = urllib.request.Request(f"{self.base_url}{path}")
        if cookie:
            request.add_header("Cookie", cookie)
        try:
            with self._opener().open(request, timeout=60) as answer:
                answer.read()
                return answer.status
        except urllib.error.HTTPError as error:
            detail = error.headers.get("Location", "") or error.read()[:300]
            raise LoadError(f"{path} answered {error.code} ({detail!r}), not 200") from error

    def wrk_run(
        self,
        path: str,
        *,
        cookie: str | None,
        connections: int,
        seconds: int,
        rotate: list[str] | None = None,
        lua: str | None = None,
        threads: int | None = None,
    ) -> dict:
        """One wrk run on `path`, or in turn on each of `rotate` (a mixed load), or driven by
        the Lua script `lua` (which must print a WRK_JSON line as LUA does)."""
        lua = lua or LUA
        if rotate:
            quoted = ", ".join(json.dumps(p) for p in rotate)
            lua += (
                f"\nlocal paths = {{{quoted}}}\nlocal turn = 0\n"
                "request = function()\n  turn = (turn % #paths) + 1\n"
                '  return wrk.format("GET", paths[turn])\nend\n'
            )
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(lua)
        threads = threads or int(os.environ.get("BENCH_WRK_THREADS", "2"))
        threads = max(1, min(connections, threads))
        command = [
            self.wrk,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout=10s",
            "--latency",
            "-s",
            script.name,
        ]
        if cookie:
            command += ["-H", f"Cookie: {cookie}"]
        command.append(f"{self.base_url}{path}")
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
        finally:
            os.unlink(script.name)
        for line in done.stdout.splitlines():
            if line.startswith("WRK_JSON "):
                return json.loads(line.removeprefix("WRK_JSON "))
        raise LoadError(f"wrk gave no result for {path}:\n{done.stdout}\n{done.stderr}")

    def measure(
        self,
        page: Page,
        *,
        cookie: str | None,
        connections: int,
        seconds: int,
        warmup_seconds: int = 2,
    ) -> LoadResult:
        self.check(page.path, cookie)
        if warmup_seconds:
            self.wrk_run(page.path, cookie=cookie, connections=connections, seconds=warmup_seconds)
        raw = self.wrk_run(page.path, cookie=cookie, connections=connections, seconds=seconds)
        return load_result(
            raw,
            label=page.label,
            path=page.shown or page.path,
            connections=connections,
            seconds=seconds,
        )

    def run_mixed(
        self, paths: list[str], *, cookie: str | None, connections: int, seconds: int
    ) -> LoadResult:
        """All of `paths` in turn on every connection, as one measurement."""
        for path in paths:
            self.check(path, cookie)
        raw = self.wrk_run(
            paths[0], cookie=cookie, connections=connections, seconds=seconds, rotate=paths
        )
        result = load_result(
            raw, label="mixed", path=", ".join(paths), connections=connections, seconds=seconds
        )
        print(f"  mixed: {result.rps:.0f} req/s, errors {result.non2xx}")
        return result

    def run(
        self,
        pages: list[Page],
        *,
        cookie: str | None,
        connections: int,
        seconds: int,
        warmup_seconds: int = 2,
    ) -> list[LoadResult]:
        """Measure each page in turn (one at a time, so they do not compete)."""
        results = []
        for page in pages:
            result = self.measure(
                page,
                cookie=page.cookie or cookie,
                connections=connections,
                seconds=seconds,
                warmup_seconds=warmup_seconds,
            )
            print(
                f"  {page.label}: {result.rps:.0f} req/s, p50 {result.p50_ms:.1f} ms, "
                f"p99 {result.p99_ms:.1f} ms, errors {result.errors}",
                flush=True,
            )
            results.append(result)
        return results


def results_table(results: list[LoadResult], *, baseline: str | None = None) -> str:
    """A Markdown table; the ratio column compares each page's requests/s with `baseline`'s
    (default: the first row, the bare view)."""
    base = next((r for r in results if r.label == baseline), results[0]) if results else None
    lines = [
        "| page | conns | s | requests | req/s | vs bare | p50 ms | p95 ms | p99 ms | max ms "
        "| non-2xx | socket errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ratio = f"{r.rps / base.rps:.0%}" if base and base.rps else "n/a"
        lines.append(
            f"| {r.label} (`{r.path}`) | {r.connections} | {r.seconds} | {r.requests:,} | "
            f"{r.rps:.0f} | {ratio} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.p99_ms:.1f} | "
            f"{r.max_ms:.1f} | {r.non2xx} | {r.socket_errors} |"
        )
    return "\n".join(lines)


@dataclass(frozen=True)
class Target:
    """What a row of `targets_table` must reach: `text` as shown, `met(result, bare)`."""

    text: str
    met: Callable[[LoadResult, LoadResult], bool]


def share_of_bare(share: float) -> Target:
    return Target(f"≥ {share:.0%} of bare", lambda r, bare: r.rps >= share * bare.rps)


def median_at_most(ms: float) -> Target:
    return Target(f"p50 ≤ {ms:.0f} ms", lambda r, bare: r.p50_ms <= ms)


def passed(result: LoadResult, bare: LoadResult, target: Target) -> bool:
    """The target is met, without an error, over at least one answered request."""
    return result.requests > 0 and result.errors == 0 and target.met(result, bare)


def targets_table(results: list[LoadResult], targets: dict[str, Target]) -> str:
    """A Markdown table of `results` against the first row (the bare view), with each row's
    target and whether it is `passed`."""
    bare = results[0]
    lines = [
        "| page | requests | req/s | % of bare | p50 ms | p95 ms | p99 ms | max ms | errors "
        "| target | verdict |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        target = targets.get(r.label)
        verdict = "—"
        if target:
            verdict = "**met**" if passed(r, bare, target) else "**NOT met**"
        share = f"{r.rps / bare.rps:.0%}" if bare.rps else "n/a"
        lines.append(
            f"| {r.label} (`{r.path}`) | {r.requests:,} | {r.rps:.0f} | {share} | "
            f"{r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.p99_ms:.1f} | {r.max_ms:.1f} | {r.errors} | "
            f"{target.text if target else '—'} | {verdict} |"
        )
    return "\n".join(lines)
