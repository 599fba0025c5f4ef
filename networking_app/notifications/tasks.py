from celery import shared_task

from networking_app.notifications import outbox, services


@shared_task(name="notifications.outbox_send_batch", ignore_result=True, acks_late=True)
def outbox_send_batch(email_ids: list[int]) -> int:
    """Send these outbox rows (each is claimed first, so a duplicate task does nothing)."""
    return outbox.deliver(email_ids)


@shared_task(name="notifications.tick", ignore_result=True)
def tick() -> dict:
    """Every minute (beat): due reminders become emails, digests go out at each user's hour,
    and every queued or abandoned email is handed to the workers."""
    return {
        "reminders": services.reminders_dispatch(),
        "digests": services.digests_dispatch(),
        "emails": outbox.outbox_tick(),
    }
