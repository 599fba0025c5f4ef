"""Who may see a volunteer's photo: whoever may see their directory card."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from mentoring.models import Mentor
from mentoring.photos import photo_version
from mentoring.selectors.directory.volunteers import listed_mentors
from networking_app.accounts.models import User
from networking_app.accounts.selectors import user_has_staff_access


def mentor_photo_get_for_viewer(*, user: User, mentor_id: int, version: str) -> Mentor:
    """The volunteer whose photo this is, if `user` may see it: any signed-in person while the
    directory lists the volunteer (`listed_mentors`, as the directory decides), the volunteer
    themself (their card's preview), and staff, who review volunteers before they are listed
    (with their second factor, as the staff pages ask). Anyone else, or a photo since replaced
    or removed (`version`): a plain 404."""
    if not user.is_authenticated:
        raise Http404("No such photo")
    mentors = Mentor.objects.only("pk", "photo")
    if not user_has_staff_access(user):
        mentors = mentors.filter(Q(user=user) | Q(pk__in=listed_mentors().values("pk")))
    mentor = mentors.filter(pk=mentor_id).exclude(photo="").first()
    if mentor is None or photo_version(mentor.photo.name) != version:
        raise Http404("No such photo")
    return mentor
