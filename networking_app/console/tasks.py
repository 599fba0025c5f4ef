"""The console's background work: the dashboard's figures, refreshed by Celery beat."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings

from networking_app.console.rollup import figures_refresh


@shared_task(name="console.refresh_figures")
def refresh_figures() -> bool:
    """Recompute the dashboard's figures unless another worker is at it, or they are younger
    than half the refresh interval (a tick right after "Recompute now", or a duplicate)."""
    half = dt.timedelta(seconds=settings.DASHBOARD_REFRESH_SECONDS / 2)
    return figures_refresh(fresher_than=half)
