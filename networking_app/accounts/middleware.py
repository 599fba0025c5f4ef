import zoneinfo

from django.conf import settings
from django.utils import timezone, translation

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


def profile_language(user) -> str:
    """The language a signed-in person chose on their profile, or "" (follow the browser)."""
    try:
        language = user.profile.language
    except (AttributeError, Profile.DoesNotExist):
        return ""
    return language if language in dict(settings.LANGUAGES) else ""


class UserLanguageMiddleware:
    """A signed-in person's own language (Profile.language) wins over the browser's, which
    Django's LocaleMiddleware chose before authentication ran. LocaleMiddleware's response half
    then writes this language in Content-Language and adds Accept-Language to Vary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = profile_language(user) if user is not None and user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
