from celery import shared_task

from mentoring.services.profiles import mentors_refresh_ended_leaves
from mentoring.services.requests import flash_requests_expire
from mentoring.services.responsiveness import flash_requests_remind


@shared_task(name="mentoring.expire_requests", ignore_result=True)
def expire_requests() -> int:
    """Every few minutes (beat): open flash requests past their expiry, or whose time has
    passed, become expired and the student is told; those waiting 2 or 4 days remind their
    volunteer. Sessions are never completed here: the people who met say so."""
    return flash_requests_remind() + flash_requests_expire()


@shared_task(name="mentoring.refresh_ended_leaves", ignore_result=True)
def refresh_ended_leaves() -> int:
    """Hourly (beat): volunteers whose "on leave until" date has passed are listed again."""
    return mentors_refresh_ended_leaves()
