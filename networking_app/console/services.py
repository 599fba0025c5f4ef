"""Writes of the staff console: volunteer decisions, invitations, eligibility labels, nudge
emails and the audit records of exports. Every staff action here is audit-logged in the same
transaction as the change it records."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from mentoring.services.profiles import mentor_refresh_bookable
from networking_app.accounts.models import ApprovalStatus, Role, User, VolunteerProfile
from networking_app.console import selectors
from networking_app.console.models import (
    EligibilityLabel,
    StudentLabel,
    VolunteerInvitation,
)
from networking_app.core.audit import audit_record
from networking_app.core.cache import FIGURES, bump_version
from networking_app.core.emails import render_email, send_templated_email
from networking_app.core.form_errors import error_text
from networking_app.notifications.outbox import (
    enqueue_together,
)

INVITATION_SESSION_KEY = "console_invitation_token"
INVITATION_DAYS = 14


# --- Volunteers ------------------------------------------------------------------------------


class VolunteerDecision:
    APPROVE = "approve"
    REJECT = "reject"
    PAUSE = "pause"
    RESUME = "resume"
    CHOICES = [
        (APPROVE, gettext_lazy("Approve")),
        (REJECT, gettext_lazy("Turn down")),
        (PAUSE, gettext_lazy("Pause")),
        (RESUME, gettext_lazy("Resume")),
    ]
    # Which decision is possible from which status.
    ALLOWED = {
        APPROVE: {ApprovalStatus.PENDING, ApprovalStatus.REJECTED},
        REJECT: {ApprovalStatus.PENDING},
        PAUSE: {ApprovalStatus.APPROVED},
        RESUME: {ApprovalStatus.PAUSED},
    }


def volunteer_decide(
    *, profile: VolunteerProfile, staff: User, decision: str, note: str = ""
) -> VolunteerProfile:
    """Approve, turn down, pause or resume a volunteer: the one way staff change a volunteer's
    approval. A decision the current status does not allow (approving someone approved,
    turning down someone turned down) is refused with a ValidationError. The volunteer is
    emailed when approved or turned down; a paused volunteer is neither listed nor bookable
    until resumed (mentoring's is_bookable needs the approved status)."""
    if decision not in VolunteerDecision.ALLOWED:
        raise ValidationError(gettext("Choose approve, turn down, pause or resume."))
    with transaction.atomic():
        # Locked, and the status checked under the lock: two staff members deciding at once
        # cannot both apply (the second sees the first one's status).
        locked = (
            VolunteerProfile.objects.select_for_update(of=("self",))
            .select_related("user__profile")
            .get(pk=profile.pk)
        )
        if locked.status not in VolunteerDecision.ALLOWED[decision]:
            refusals = {
                VolunteerDecision.APPROVE: gettext(
                    "%(name)s is %(status)s: they cannot be approved."
                ),
                VolunteerDecision.REJECT: gettext(
                    "%(name)s is %(status)s: they cannot be turned down."
                ),
                VolunteerDecision.PAUSE: gettext("%(name)s is %(status)s: they cannot be paused."),
                VolunteerDecision.RESUME: gettext(
                    "%(name)s is %(status)s: they cannot be resumed."
                ),
            }
            raise ValidationError(
                refusals[decision]
                % {"name": locked.user.display_name, "status": locked.get_status_display().lower()}
            )
        locked.status = {
            VolunteerDecision.APPROVE: ApprovalStatus.APPROVED,
            VolunteerDecision.REJECT: ApprovalStatus.REJECTED,
            VolunteerDecision.PAUSE: ApprovalStatus.PAUSED,
            VolunteerDecision.RESUME: ApprovalStatus.APPROVED,
        }[decision]
        locked.reviewed_at = timezone.now()
        locked.reviewed_by = staff
        locked.review_note = note.strip()[:500]
        locked.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_note"])
        audit_record(
            actor=staff,
            action=f"volunteer.{decision}",
            summary=f"{decision.capitalize()} volunteer {locked.user.email}",
            target=locked.user,
            volunteer_id=locked.user_id,
        )
        if decision in (VolunteerDecision.APPROVE, VolunteerDecision.REJECT):
            approved = decision == VolunteerDecision.APPROVE
            transaction.on_commit(
                lambda: send_templated_email(
                    "volunteer_reviewed",
                    to=[locked.user.email],
                    context={
                        "volunteer": locked.user,
                        "approved": approved,
                        "note": locked.review_note,
                    },
                    recipient=locked.user,
                )
            )
        mentor_refresh_bookable(user=locked.user)
    return locked


# The most volunteers one bulk approval takes (a page of the volunteers list).
BULK_APPROVE_MAX = 50


@dataclass
class BulkApproval:
    approved: list[VolunteerProfile]
    refused: list[str]  # why each of the others was not approved


def volunteers_approve(*, user_ids: list[int], staff: User, note: str = "") -> BulkApproval:
    """Approve several volunteers at once, each through volunteer_decide (its own lock, email
    and audit entry), so one that another staff member decided meanwhile is refused alone."""
    result = BulkApproval(approved=[], refused=[])
    ids = list(dict.fromkeys(user_ids))[:BULK_APPROVE_MAX]
    profiles = VolunteerProfile.objects.filter(user_id__in=ids, user__is_active=True)
    for profile in profiles.select_related("user__profile").order_by("created_at", "pk"):
        try:
            result.approved.append(
                volunteer_decide(
                    profile=profile, staff=staff, decision=VolunteerDecision.APPROVE, note=note
                )
            )
        except ValidationError as error:
            result.refused.append(error_text(error))
    return result


# --- Invitations -----------------------------------------------------------------------------


def invitation_create(
    *, email: str, staff: User, days: int = INVITATION_DAYS, now: dt.datetime | None = None
) -> VolunteerInvitation:
    """A single-use sign-up link for this address, emailed to it, valid for `days` days."""
    email = User.objects.normalize_email(email.strip()).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": gettext("Someone already has an account with this address.")}
        )
    now = now or timezone.now()
    with transaction.atomic():
        invitation = VolunteerInvitation.objects.create(
            email=email,
            token=secrets.token_urlsafe(32),
            created_by=staff,
            expires_at=now + dt.timedelta(days=days),
        )
        link = settings.SITE_URL.rstrip("/") + reverse(
            "console:invitation_accept", kwargs={"invite_token": invitation.token}
        )
        send_templated_email(
            "console_invitation",
            to=[email],
            context={
                "link": link,
                # The invitee has no account yet: render_email writes in the default zone.
                "expires_at": invitation.expires_at,
                "staff": staff,
            },
        )
        audit_record(
            actor=staff,
            action="invitation.create",
            summary=f"Invited volunteer {email}",
            target=invitation,
            invitation_id=invitation.pk,
        )
    return invitation


def invitation_revoke(*, invitation: VolunteerInvitation, staff: User) -> VolunteerInvitation:
    with transaction.atomic():
        updated = VolunteerInvitation.objects.filter(
            pk=invitation.pk, used_at=None, revoked_at=None
        ).update(revoked_at=timezone.now())
        if updated:
            audit_record(
                actor=staff,
                action="invitation.revoke",
                summary=f"Revoked the invitation for {invitation.email}",
                target=invitation,
                invitation_id=invitation.pk,
            )
    invitation.refresh_from_db()
    return invitation


def invitations_forget(user: User, now: dt.datetime) -> None:
    """Closing-account step (registered with accounts in ConsoleConfig.ready): a volunteer's
    sign-up invitation holds their address."""
    VolunteerInvitation.objects.filter(Q(email__iexact=user.email) | Q(used_by=user)).delete()


def invitation_redeem_at_signup(request, user: User) -> None:
    """Sign-up step (registered with accounts in ConsoleConfig.ready): someone who signed up
    through a staff invitation link is approved at once, and the link is used up."""
    token = request.session.get(INVITATION_SESSION_KEY) if request is not None else None
    if token and invitation_redeem(token=token, user=user):
        request.session.pop(INVITATION_SESSION_KEY, None)


def invitation_redeem(*, token: str, user: User, now: dt.datetime | None = None) -> bool:
    """Called when someone signs up after opening an invitation link: a volunteer whose address
    is the invited one is approved at once (no approval queue), and the link is used up.
    Returns False (and changes nothing) when the link is used, expired, revoked, or was for
    another address or role."""
    now = now or timezone.now()
    if not token or user.role != Role.VOLUNTEER:
        return False
    with transaction.atomic():
        # Locked: two sign-ups racing with the same link cannot both use it.
        invitation = VolunteerInvitation.objects.select_for_update().filter(token=token).first()
        if invitation is None or not invitation.is_usable(now):
            return False
        if invitation.email.lower() != user.email.lower():
            return False
        invitation.used_at = now
        invitation.used_by = user
        invitation.save(update_fields=["used_at", "used_by"])
        VolunteerProfile.objects.filter(user=user).update(
            status=ApprovalStatus.APPROVED,
            reviewed_at=now,
            reviewed_by=invitation.created_by,
            review_note="Invited by the career office",
        )
        mentor_refresh_bookable(user=user)
        audit_record(
            actor=invitation.created_by,
            action="invitation.redeem",
            summary=f"Invited volunteer {user.email} signed up (approved by invitation)",
            target=invitation,
            invitation_id=invitation.pk,
            volunteer_id=user.pk,
        )
    return True


# --- Eligibility labels ----------------------------------------------------------------------


def _label_taken(name: str) -> str:
    return gettext("There is already a label called “%(name)s”.") % {"name": name}


def label_create(*, name: str, description: str = "", staff: User) -> EligibilityLabel:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": gettext("Give the label a name.")})
    if EligibilityLabel.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _label_taken(name)})
    try:
        with transaction.atomic():
            label = EligibilityLabel.objects.create(
                name=name, description=description.strip(), created_by=staff
            )
            audit_record(
                actor=staff,
                action="label.create",
                summary=f"Created the label {name}",
                target=label,
                label_id=label.pk,
            )
    except IntegrityError:
        raise ValidationError({"name": _label_taken(name)}) from None
    bump_version(FIGURES)  # the dashboard offers it at once
    return label


def label_add_students(
    *, label: EligibilityLabel, emails: list[str], staff: User
) -> tuple[int, list[str]]:
    """Attach the label to the students with these addresses. Returns (how many were added,
    the addresses that are not students' accounts)."""
    wanted = {e.strip().lower() for e in emails if e.strip()}
    students = dict(
        User.objects.filter(role=Role.STUDENT, email__in=wanted).values_list("email", "pk")
    )
    unknown = sorted(wanted - set(students))
    with transaction.atomic():
        created = StudentLabel.objects.bulk_create(
            [StudentLabel(label=label, student_id=pk, added_by=staff) for pk in students.values()],
            ignore_conflicts=True,
        )
        added = len(created)
        if students:
            audit_record(
                actor=staff,
                action="label.add_students",
                summary=f"Labelled {len(students)} student(s) {label.name}",
                target=label,
                label_id=label.pk,
                students=len(students),
            )
    return added, unknown


def label_remove_student(*, label: EligibilityLabel, student_id: int, staff: User) -> bool:
    with transaction.atomic():
        deleted, _ = StudentLabel.objects.filter(label=label, student_id=student_id).delete()
        if deleted:
            audit_record(
                actor=staff,
                action="label.remove_student",
                summary=f"Removed the label {label.name} from a student",
                target=label,
                label_id=label.pk,
                student_id=student_id,
            )
    return bool(deleted)


# --- Nudges ----------------------------------------------------------------------------------


class Audience:
    STUDENTS_NOT_STARTED = "students_not_started"
    VOLUNTEERS_UNUSED_CAPACITY = "volunteers_unused_capacity"
    CHOICES = [
        (STUDENTS_NOT_STARTED, gettext_lazy("Students who have not started (no contact yet)")),
        (
            VOLUNTEERS_UNUSED_CAPACITY,
            gettext_lazy("Listed volunteers with unused capacity this month"),
        ),
    ]
    TEMPLATES = {
        STUDENTS_NOT_STARTED: "console_nudge_students",
        VOLUNTEERS_UNUSED_CAPACITY: "console_nudge_volunteers",
    }


@dataclass(frozen=True)
class NudgeSpec:
    audience: str
    note: str = ""
    class_year: int | None = None
    major: str = ""
    label_id: int | None = None


def nudge_recipients(spec: NudgeSpec) -> QuerySet[User]:
    """Exactly who a nudge goes to; the preview counts this and the send uses it again."""
    if spec.audience == Audience.STUDENTS_NOT_STARTED:
        users = selectors.students_not_started(
            class_year=spec.class_year, major=spec.major, label_id=spec.label_id
        )
    elif spec.audience == Audience.VOLUNTEERS_UNUSED_CAPACITY:
        users = User.objects.filter(
            pk__in=selectors.unused_capacity_mentors().values("user_id"), is_active=True
        )
    else:
        raise ValidationError(gettext("Choose who the email goes to."))
    return users.select_related("profile").order_by("pk")


def _nudge_context(spec: NudgeSpec, user: User | None) -> dict:
    path = reverse("home")
    if spec.audience == Audience.VOLUNTEERS_UNUSED_CAPACITY:
        path = reverse("mentoring:availability")
    return {
        "name": user.display_name if user is not None else "there",
        "note": spec.note.strip(),
        "link": settings.SITE_URL.rstrip("/") + path,
    }


def nudge_render(spec: NudgeSpec, user: User | None) -> tuple[str, str, str]:
    return render_email(
        Audience.TEMPLATES[spec.audience], context=_nudge_context(spec, user), recipient=user
    )


def nudge_send(*, spec: NudgeSpec, staff: User, expected: int, nonce: str) -> int:
    """Write one email per recipient to the outbox, in one transaction, enqueued in batches.

    `expected` is the count staff saw in the preview: if the audience changed since, nothing is
    sent (ValidationError) so staff always know how many people got the email. `nonce` comes
    from the preview: the idempotency key `nudge:<nonce>:<user>` means a double submit cannot
    email anyone twice."""
    if not nonce or len(nonce) > 64:
        raise ValidationError(gettext("Preview the email again before sending it."))
    with enqueue_together(), transaction.atomic():
        recipients = list(nudge_recipients(spec))
        if len(recipients) != expected:
            raise ValidationError(
                gettext(
                    "The number of recipients changed since the preview (%(then)d then, "
                    "%(now)d now). Check the preview again before sending."
                )
                % {"then": expected, "now": len(recipients)}
            )
        template = Audience.TEMPLATES[spec.audience]
        sent = 0
        for user in recipients:
            sent += send_templated_email(
                template,
                context=_nudge_context(spec, user),
                recipient=user,
                key=f"nudge:{nonce}:{user.pk}",
            )
        audit_record(
            actor=staff,
            action="nudge.send",
            summary=f"Nudge email to {sent} {spec.audience.replace('_', ' ')}",
            audience=spec.audience,
            recipients=len(recipients),
            emails_written=sent,
            class_year=spec.class_year,
            label_id=spec.label_id,
            nonce=nonce,
        )
    return sent


# --- Exports ---------------------------------------------------------------------------------


def export_record(*, staff: User, chart_key: str, filters, rows: int) -> None:
    audit_record(
        actor=staff,
        action="export.csv",
        summary=f"Exported the {chart_key} chart as CSV",
        chart=chart_key,
        start=filters.start.isoformat(),
        end=filters.end.isoformat(),
        class_year=filters.class_year,
        label_id=filters.label_id,
        rows=rows,
    )
