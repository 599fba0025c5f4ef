"""Reminder emails at volume: 10,000 reminders fall due at once (2,000 students with 5 each).

Beat's tick goes through Redis to one real Celery worker process (prefork, default
concurrency: one child per core) that writes the emails and sends them to a real SMTP server
on loopback. Targets: at least 200 messages per second, p99 lateness (from the reminder's due
time to arrival at the SMTP server) at most 60 s. The worker's memory (the sum of the resident
sizes of its process tree) is sampled every 0.2 s.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import ROOT, machine, setup_django, summary, write_section

STUDENTS = 2_000
PER_STUDENT = 5
TOTAL = STUDENTS * PER_STUDENT
TICK_SECONDS = 60
TIMEOUT_SECONDS = 15 * 60
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")
BROKER_DB = 8  # tests/notifications use 9 to 13


def main() -> None:
    var_dir = Path(tempfile.mkdtemp(prefix="rapport-bench-reminders-"))
    broker_url = f"{REDIS}/{BROKER_DB}"
    os.environ["VAR_DIR"] = str(var_dir)
    os.environ["CELERY_BROKER_URL"] = broker_url
    os.environ["SITE_URL"] = "https://rapport.example.edu"
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("EMAIL_URL", None)
    setup_django("rapport_bench_reminders")
    sys.path.insert(0, str(ROOT))

    from django.db import connection
    from django.utils import timezone

    from networking_app.notifications import tasks
    from networking_app.notifications.models import EmailStatus, OutgoingEmail
    from tests.notifications.helpers import (
        CeleryWorker,
        SmtpSink,
        bulk_due_thank_yous,
        celery_broker,
        database_url,
        flush_broker,
        worker_env,
    )

    flush_broker(broker_url)
    started = time.perf_counter()
    due_at = timezone.now().replace(microsecond=0) + dt.timedelta(seconds=30)
    bulk_due_thank_yous(students=STUDENTS, per_student=PER_STUDENT, due_at=due_at, prefix="bench")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    load_seconds = time.perf_counter() - started
    connection.close()  # the worker has the database to itself from here on

    concurrency = os.cpu_count() or 1
    load_before = os.getloadavg()[0]
    peak_rss = 0
    sampling = threading.Event()
    with SmtpSink() as sink, celery_broker(broker_url):
        env = worker_env(
            database_url=database_url(connection.settings_dict),
            broker_url=broker_url,
            email_url=sink.url,
            var_dir=var_dir,
            SITE_URL="https://rapport.example.edu",
            CONN_MAX_AGE="60",
            LOG_LEVEL="WARNING",
        )
        worker = CeleryWorker(env=env, log_path=var_dir / "worker.log", pool="prefork").start()

        def sample() -> None:
            nonlocal peak_rss
            while not sampling.is_set():
                peak_rss = max(peak_rss, worker.rss_bytes())
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        try:
            worker.wait_ready(timeout=60)
            sampler.start()
            idle_rss = worker.rss_bytes()
            # Beat: the first tick once the reminders are due, then one a minute.
            time.sleep(max(0.0, (due_at - timezone.now()).total_seconds()))
            ticks = 0
            next_tick = time.monotonic()
            deadline = time.monotonic() + TIMEOUT_SECONDS
            while sink.count() < TOTAL and time.monotonic() < deadline:
                if time.monotonic() >= next_tick:
                    tasks.tick.apply_async()
                    ticks += 1
                    next_tick += TICK_SECONDS
                time.sleep(0.1)
            time.sleep(1)
        finally:
            sampling.set()
            worker.stop(timeout=30)
            flush_broker(broker_url)
        worker_log = worker.log()
        received = sink.messages

    by_id = {}
    for message in received:
        by_id.setdefault(message.message_id, message)
    rows = {
        row["message_id"]: row
        for row in OutgoingEmail.objects.values("message_id", "idempotency_key", "status")
    }
    due_ts = due_at.timestamp()
    lateness = [
        message.at - float(rows[mid]["idempotency_key"].rsplit(":", 1)[1])
        for mid, message in by_id.items()
        if mid in rows
    ]
    late = summary([value * 1000 for value in lateness]) if lateness else None
    sent = sum(1 for row in rows.values() if row["status"] == EmailStatus.SENT)
    duplicates = len(received) - len(by_id)
    first = min(m.at for m in received) if received else due_ts
    last = max(m.at for m in received) if received else due_ts
    rate_end_to_end = len(by_id) / (last - due_ts) if received else 0
    rate_stream = len(by_id) / (last - first) if len(received) > 1 else 0
    tick_runs = [
        float(s)
        for s in re.findall(r"notifications\.tick\[[^\]]+\] succeeded in ([0-9.]+)s", worker_log)
    ]
    errors = [line for line in worker_log.splitlines() if " ERROR" in line][:5]
    met_rate = rate_end_to_end >= 200
    met_late = late is not None and late["p99"] <= 60_000

    body = f"""## Reminders: 10,000 due at once, through Redis, a worker process and SMTP (issue 4)

Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()}; load average
{load_before:.1f} when it started (everything below shares the 2 cores, so other work on the
machine shows in the numbers).
Data: {TOTAL:,} thank-you reminders ({STUDENTS:,} students with {PER_STUDENT} held
conversations each), all due at the same second; loaded in {load_seconds:.0f} s.
Set-up: one `celery worker` process, prefork pool with the default concurrency
({concurrency} children on this {os.cpu_count()}-core machine), Redis broker, PostgreSQL on the
same machine, an aiosmtpd server on loopback accepting every message. Beat is simulated by
sending `notifications.tick` through the broker when the reminders fall due, then every
{TICK_SECONDS} s ({ticks} tick(s) sent): the worker writes the emails (one row each, in
batches) and delivers them.

| measurement | value |
|---|---|
| messages received / rows sent / duplicates | {len(by_id):,} / {sent:,} / {duplicates} |
| throughput, due time to last message | **{rate_end_to_end:.0f} messages/s** |
| throughput, first to last message | {rate_stream:.0f} messages/s |
| all delivered after | {last - due_ts:.1f} s |
| lateness p50 / p95 / p99 / max (due time to arrival) | {
        "n/a"
        if late is None
        else f"{late['p50'] / 1000:.1f} / {late['p95'] / 1000:.1f} / "
        f"**{late['p99'] / 1000:.1f}** / {late['max'] / 1000:.1f} s"
    } |
| tick run time(s) in the worker (reminders to outbox rows, enqueue) | {
        ", ".join(f"{t:.1f} s" for t in tick_runs) or "n/a"
    } |
| worker memory, idle after start / peak (RSS of the process tree) | {
        idle_rss / 2**20:.0f} MiB / **{peak_rss / 2**20:.0f} MiB** |

Targets: at least 200 messages/s: **{"met" if met_rate else "NOT met"}**; p99 lateness at
most 60 s: **{"met" if met_late else "NOT met"}**. The reminders fall due just before the
first tick; a reminder that falls due just after a tick waits up to {TICK_SECONDS} s more.
{"Errors in the worker log: " + "; ".join(errors) if errors else ""}
"""
    write_section("bench_reminders", body)
    print(body)


if __name__ == "__main__":
    main()
