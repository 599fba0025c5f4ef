from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_CACHE_KEY = "celery:heartbeat"


@shared_task(name="networking_app.tasks.heartbeat", ignore_result=True)
def heartbeat() -> str:
    """Record that beat scheduled and a worker ran a task, for the staff status panel."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_CACHE_KEY, now, timeout=60 * 60 * 24)
    return now
