import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "networking_app.settings.dev")

app = Celery("networking_app")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
