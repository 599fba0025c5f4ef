from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from contacts.views.today import today_response
from events.home_card import home_events_card_html
from mentoring.views.volunteer import volunteer_home
from networking_app.accounts.models import Role


@require_safe
def home(request):
    """ "/": each role's home page, owned by the app it belongs to (students' Today in contacts,
    volunteers' status in mentoring, the staff home in the console); visitors who are not
    signed in get the front page. The project package picks one, so no app imports another
    for it."""
    user = request.user
    if user.is_authenticated and user.role == Role.STAFF:
        return redirect("staff:home")
    # The events card of every home page (templates/events/_upcoming_events.html#card):
    # events sit above contacts and mentoring, so their home pages are handed it (a visitor's
    # lists the public events).
    events_card = {"events_card_html": home_events_card_html(user)}
    if not user.is_authenticated:
        return render(request, "front.html", events_card)
    if user.role == Role.VOLUNTEER:
        return volunteer_home(request, extra=events_card)
    return today_response(request, home=True, extra=events_card)


@never_cache
def healthz(request):
    """For load balancers and docker compose: the app answers and reaches its database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})
