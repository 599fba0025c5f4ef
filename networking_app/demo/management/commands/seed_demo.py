from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from networking_app.accounts.demo import DEMO_PASSWORD
from networking_app.demo.load import demo_data_load


class Command(BaseCommand):
    help = "Load the demo accounts and content (development only) and print how to log in."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Allow with DEBUG off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo data is for development: DEBUG is off (use --force).")
        accounts = demo_data_load()
        width = max(len(a.email) for a in accounts)
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password for all: {DEMO_PASSWORD})"))
        for account in accounts:
            self.stdout.write(f"  {account.email.ljust(width)}  {account.description}")
        self.stdout.write(
            "Open http://127.0.0.1:8000/ ; sent emails: http://127.0.0.1:8000/dev/mail/"
        )
