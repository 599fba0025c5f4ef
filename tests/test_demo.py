import pytest
from django.core.management import call_command

from contacts.selectors.today import today_page
from networking_app.accounts.models import User

pytestmark = pytest.mark.django_db


def test_demo_data_loads_once_and_fills_every_part_of_today(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    output = capsys.readouterr().out
    assert "student@example.edu" in output
    assert "rapport-demo-2026" in output
    assert User.objects.filter(email="student@example.edu").count() == 1
    student = User.objects.get(email="student@example.edu")
    today = today_page(user=student)
    assert today.thank_yous
    assert today.follow_ups
    assert today.upcoming
    assert today.upcoming[0].questions.count() == 3
    assert today.losing_touch
    assert today.action_items
    # The demo volunteer is in the directory, at one of the student's target organizations.
    from mentoring.models import Mentor
    from mentoring.services.availability import open_slots

    mentor = Mentor.objects.get(user__email="volunteer@example.org")
    assert mentor.is_bookable
    assert mentor.organization.name == "Northwind Analytics"
    assert open_slots(mentor)


def test_demo_data_refuses_without_debug(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")


def test_make_run_defaults_migrate_and_load_the_demo_on_sqlite(tmp_path):
    """`make run` uses the embedded defaults (SQLite, no services): migrating a new database
    and loading the demo data must work there too, whatever the suite's own database is."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "EMAIL_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="networking_app.settings.dev",
        DATABASE_URL=f"sqlite:///{tmp_path / 'rapport.sqlite3'}",
        VAR_DIR=str(tmp_path),
    )
    for command in (["migrate", "--noinput"], ["seed_demo"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
    assert "staff@example.edu" in result.stdout
