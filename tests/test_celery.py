"""The Celery app runs tasks on the embedded filesystem broker and on real Redis."""

import contextlib
import time

import pytest
from celery import Celery, current_app
from celery import _state as celery_state
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache

from networking_app.celery import app as project_app
from networking_app.core.tasks import HEARTBEAT_CACHE_KEY, heartbeat


def test_heartbeat_records_the_time():
    heartbeat.apply()
    assert cache.get(HEARTBEAT_CACHE_KEY)


def test_beat_schedules_the_heartbeat(settings):
    assert settings.CELERY_BEAT_SCHEDULE["heartbeat"]["task"] == heartbeat.name


def _round_trip(broker_url: str, transport_options: dict, monkeypatch) -> None:
    """Send the heartbeat through a real broker to a real worker thread and wait for it."""
    # Celery prefers the CELERY_BROKER_URL environment variable (set on CI) to its settings.
    monkeypatch.setenv("CELERY_BROKER_URL", broker_url)
    # A fresh app per broker: Celery caches its connection pools per app.
    test_app = Celery("rapport-test", set_as_current=False)
    test_app.config_from_object("django.conf:settings", namespace="CELERY")
    test_app.conf.broker_url = broker_url
    test_app.conf.broker_transport_options = transport_options
    assert test_app.connection_for_write().as_uri().startswith(broker_url.split("://")[0])
    task = test_app.tasks[heartbeat.name]
    worker = start_worker(test_app, perform_ping_check=False, pool="solo", loglevel="WARNING")
    with _keeping_the_current_app(), worker:
        task.apply_async()
        deadline = time.monotonic() + 15
        while not cache.get(HEARTBEAT_CACHE_KEY) and time.monotonic() < deadline:
            time.sleep(0.05)
    assert cache.get(HEARTBEAT_CACHE_KEY), "the worker did not run the task"
    # The project's tasks (shared_task: `outbox_send_batch.delay` in later tests) go through
    # the project's app again, not this one with its broker gone.
    assert current_app._get_current_object() is project_app


@contextlib.contextmanager
def _keeping_the_current_app():
    """start_worker makes its app the process's current and default Celery app, and leaves it
    so: every shared task would then be sent to this test's broker (a folder deleted with the
    test, a database another test flushes). Put back what was there."""
    current, default = celery_state._tls.current_app, celery_state.default_app
    try:
        yield
    finally:
        celery_state._tls.current_app, celery_state.default_app = current, default


@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_a_task_from_the_filesystem_broker(tmp_path, settings, monkeypatch):
    queue = tmp_path / "queue"
    for sub in ("queue", "processed", "control"):
        (tmp_path / sub).mkdir()
    _round_trip(
        "filesystem://",
        {
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "processed_folder": str(tmp_path / "processed"),
            "control_folder": str(tmp_path / "control"),
        },
        monkeypatch,
    )


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_a_task_from_redis(settings, monkeypatch):
    _round_trip(settings.TEST_REDIS_URL, {}, monkeypatch)


@pytest.mark.redis
def test_redis_cache_backend_works(settings):
    import redis
    from django.core.cache.backends.redis import RedisCache

    redis_cache = RedisCache(settings.TEST_REDIS_URL, {"KEY_PREFIX": "rapport-test"})
    server = redis.Redis.from_url(settings.TEST_REDIS_URL)
    key = redis_cache.make_and_validate_key("ping")
    redis_cache.set("ping", "pong", 10)
    assert redis_cache.get("ping") == "pong"
    # Stored in the Redis server itself, under the prefix, with the timeout given.
    assert key.startswith("rapport-test:")
    assert 0 < server.ttl(key) <= 10
    redis_cache.delete("ping")
    assert redis_cache.get("ping") is None
    assert not server.exists(key)


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_suite_runs_on_postgresql():
    from django.db import connection

    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 140000
