import zoneinfo

from django.utils import timezone

from networking_app.accounts.models import Profile


class UserTimeZoneMiddleware:
    """Show every date in the signed-in user's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        zone = None
        if user is not None and user.is_authenticated:
            try:
                zone = zoneinfo.ZoneInfo(user.profile.time_zone)
            except (Profile.DoesNotExist, zoneinfo.ZoneInfoNotFoundError):
                zone = None
        if zone is not None:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        return self.get_response(request)
