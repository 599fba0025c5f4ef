"""The audit log moved to the shared core (networking_app.core): the table stays, under its
name, and core 0001 takes the model over; only the console's record of it goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("console", "0003_dashboard_indexes"),
        ("core", "0001_auditlog_from_console"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditLog")],
            database_operations=[],
        ),
    ]
