from django.core.management.base import BaseCommand, CommandError

from networking_app.accounts.retention import days_setting, retention_apply, retention_rules


class Command(BaseCommand):
    help = (
        "Apply the retention rules now (beat runs them daily): delete or blank what is past "
        "its limit (docs/privacy.md). With --dry-run, only print what would be done."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be done; change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        results = retention_apply(dry_run=dry_run)
        if dry_run:
            self.stdout.write("Dry run: nothing is changed. What each rule would do:")
        for rule in retention_rules():
            days = None if rule.setting is None else days_setting(rule.setting)
            if days == 0:
                self.stdout.write(f"{rule.name}: off ({rule.setting}=0)")
                continue
            limit = "" if days is None else f" ({rule.setting}={days})"
            counts = results.get(rule.name, {})
            done = ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in counts.items())
            self.stdout.write(f"{rule.name}{limit}: {done or 'nothing'}")
        if any("failed" in counts for counts in results.values()):
            raise CommandError("Some of it failed: the log above says what.")
