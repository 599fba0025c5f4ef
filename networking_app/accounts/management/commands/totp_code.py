import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from networking_app.accounts.models import User


class Command(BaseCommand):
    help = "Print the current TOTP code of an account (development only, for the demo staff)."

    def add_arguments(self, parser):
        parser.add_argument("email", nargs="?", default="staff@example.edu")

    def handle(self, *args, email, **options):
        if not settings.DEBUG:
            raise CommandError("Only available with DEBUG on.")
        user = User.objects.filter(email__iexact=email).first()
        authenticator = (
            Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
            if user
            else None
        )
        if authenticator is None:
            raise CommandError(f"{email} has no authenticator app set up.")
        secret = decrypt(authenticator.data["secret"])
        period = 30
        now = int(time.time())
        code = format_hotp_value(hotp_value(secret, now // period))
        self.stdout.write(f"{code}  (valid for {period - now % period} more seconds)")
