from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache

from contacts.views.today import today_response
from events.selectors import home_events_card
from mentoring.views.volunteer import volunteer_home
from networking_app.accounts.models import Role


def home(request):
    """ "/": each role's home page, owned by the app it belongs to (students' Today in contacts,
    volunteers' status in mentoring, the staff home in the console); anonymous visitors go to
    the login page. The project package picks one, so no app imports another for it."""
    user = request.user
    if not user.is_authenticated:
        return redirect("account_login")
    if user.role == Role.STAFF:
        return redirect("staff:home")
    # The events card of every home page (templates/events/_upcoming_events.html#card):
    # events sit above contacts and mentoring, so their home pages are handed it.
    upcoming, to_log = home_events_card(user=user)
    events_card = {"upcoming": upcoming, "to_log": to_log}
    if user.role == Role.VOLUNTEER:
        return volunteer_home(request, extra={"events_card": events_card})
    return today_response(request, home=True, extra={"events_card": events_card})


@never_cache
def healthz(request):
    """For load balancers and docker compose: the app answers and reaches its database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})
