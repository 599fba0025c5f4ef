"""Drop the triggers that raised Profile.data_version, and the field.

Cached pages are now keyed by versions that the services changing the data raise
(networking_app/cache.py); nothing reads data_version any more. Going back recreates the
field and the triggers (migration 0006's functions).
"""

import importlib

from django.db import migrations

_triggers = importlib.import_module("networking_app.accounts.migrations.0006_data_version_triggers")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_data_version_triggers"),
    ]

    operations = [
        migrations.RunPython(_triggers.drop, _triggers.create),
        migrations.RemoveField(model_name="profile", name="data_version"),
    ]
