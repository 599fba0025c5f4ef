from django.db.models import Count, QuerySet
from django.http import Http404

from networking_app.accounts.models import ApprovalStatus, Role, User, VolunteerProfile
from networking_app.core.prepared import PreparedQuery


def _totp(*, user_id: int) -> QuerySet:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user_id=user_id, type=Authenticator.Type.TOTP).values_list(
        "id"
    )[:1]


# Asked on every staff page (staff_required): compiled once per process.
_TOTP = PreparedQuery(_totp)


def user_has_mfa(user: User) -> bool:
    """Whether the user has set up an authenticator app (TOTP)."""
    return bool(_TOTP.rows(user_id=user.pk))


def user_has_staff_access(user) -> bool:
    """Career-office staff who have set up their second factor."""
    return user.is_authenticated and user.is_active and user.is_staff_member and user_has_mfa(user)


def volunteer_profile_get_for_review(*, user_id: int) -> VolunteerProfile:
    """A volunteer's profile with their name, for staff deciding on it; a plain 404 if none."""
    profile = (
        VolunteerProfile.objects.select_related("user__profile").filter(user_id=user_id).first()
    )
    if profile is None:
        raise Http404("No such volunteer")
    return profile


def user_counts_by_role() -> dict[str, int]:
    counts = dict.fromkeys(Role.values, 0)
    rows = User.objects.filter(is_active=True).values("role").annotate(n=Count("id"))
    counts.update({row["role"]: row["n"] for row in rows})
    return counts


def volunteer_counts_by_status() -> dict[str, int]:
    counts = dict.fromkeys(ApprovalStatus.values, 0)
    rows = VolunteerProfile.objects.values("status").annotate(n=Count("id"))
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def staff_members() -> QuerySet[User]:
    return User.objects.filter(role=Role.STAFF).select_related("profile").order_by("email")


def user_active_get(*, user_id: int) -> User | None:
    """An active account by id (a signed link names it), or None."""
    return User.objects.filter(pk=user_id, is_active=True).first()
