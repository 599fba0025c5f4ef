import logging

from celery import shared_task

from networking_app.accounts.retention import describe, retention_apply

log = logging.getLogger(__name__)


@shared_task(name="accounts.retention", ignore_result=True)
def retention() -> dict:
    """Daily (beat): apply every retention rule (docs/privacy.md) and log what each did."""
    results = retention_apply()
    log.info("retention: %s", describe(results))
    return results
