"""Email drafts: default wording in the app, each student's own version in EmailTemplate.

Merge fields are written {like_this}; unknown fields are left as typed so a student's own
braces never break a draft. Every field reads well whatever the student has recorded: one that
may be missing is a whole phrase that disappears ({meeting_on}, {at_organization}) or a whole
sentence with a graceful default ({takeaways}, {next_steps}), never a placeholder to fill in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, pgettext, pgettext_lazy

from contacts.models import Contact, Conversation, DraftKind, EmailTemplate, OutcomeKind

# What the pages call each kind of draft (DraftKind's own labels, in English, are the admin's).
KIND_LABELS = {
    DraftKind.INTRO: pgettext_lazy("email draft kind", "Intro request"),
    DraftKind.THANK_YOU: pgettext_lazy("email draft kind", "Thank-you"),
    DraftKind.FOLLOW_UP: pgettext_lazy("email draft kind", "Follow-up"),
    DraftKind.STAY_IN_TOUCH: pgettext_lazy("email draft kind", "Stay in touch"),
    DraftKind.OUTCOME: pgettext_lazy("email draft kind", "Outcome update"),
}


def kind_label(kind: str) -> str:
    """ "Thank-you": the kind of draft as the pages name it, in the active language."""
    return str(KIND_LABELS[kind])


# The default wording, in English here and translated when a draft is made (template_for): a
# student's own version is kept as they typed it. Merge fields keep their English names in
# every language.
DEFAULTS: dict[str, tuple[str, str]] = {
    DraftKind.INTRO: (
        gettext_noop("Could I ask you about your work at {organization}?"),
        gettext_noop(
            "Dear {contact_first_name},\n\n"
            "My name is {my_name} and I am a student at {school}.{referral_sentence} "
            "I am interested in {goal} and would be grateful for 20 minutes of your time to hear "
            "how you found your path and what advice you have for someone entering the field.\n\n"
            "Would you be open to a short call or coffee in the next few weeks? I am happy to work "
            "around your schedule.\n\n"
            "Thank you for considering it,\n{my_name}"
        ),
    ),
    DraftKind.THANK_YOU: (
        gettext_noop("Thank you for your time"),
        gettext_noop(
            "Dear {contact_first_name},\n\n"
            "Thank you for speaking with me{meeting_on}. {takeaways}\n\n"
            "{next_steps}\n\n"
            "I will let you know how things go. Thank you again for your generosity.\n\n"
            "Best regards,\n{my_name}"
        ),
    ),
    DraftKind.FOLLOW_UP: (
        gettext_noop("Following up: a conversation about {organization}"),
        gettext_noop(
            "Dear {contact_first_name},\n\n"
            "I hope you are well. I wanted to follow up on my note from {requested_date} about a "
            "short conversation. I understand you are busy; if a 15-minute call would be easier, "
            "I would be glad to fit your schedule.\n\n"
            "Thank you,\n{my_name}"
        ),
    ),
    DraftKind.STAY_IN_TOUCH: (
        gettext_noop("An update from {my_name}"),
        gettext_noop(
            "Dear {contact_first_name},\n\n"
            "I hope all is well{at_organization}. Your advice has stayed with me since we last "
            "spoke, and I would love to hear how things are going for you.\n\n"
            "Best,\n{my_name}"
        ),
    ),
    DraftKind.OUTCOME: (
        gettext_noop("Good news, and thank you"),
        gettext_noop(
            "Dear {contact_first_name},\n\n"
            "I wanted to let you know that I have accepted {outcome_at}. "
            "Our conversation helped me get here, and I am grateful.\n\n"
            "You can keep in touch with me at {my_email}.\n\n"
            "With thanks,\n{my_name}"
        ),
    ),
}

FIELD_HELP = {
    "contact_name": gettext_lazy("the contact's full name"),
    "contact_first_name": gettext_lazy("the contact's first name"),
    "organization": gettext_lazy("the contact's organization"),
    "my_name": gettext_lazy("your name"),
    "my_email": gettext_lazy("your email address"),
    "school": gettext_lazy("your school"),
    "goal": gettext_lazy("what you want to learn (from the conversation)"),
    "referrer_name": gettext_lazy(
        "who referred you (only when they allowed you to use their name)"
    ),
    "referral_sentence": gettext_lazy(
        "“NAME suggested I reach out to you.” when permission was given"
    ),
    "meeting_date": gettext_lazy("the date of the conversation"),
    "meeting_on": gettext_lazy(
        "“ on March 4” after “Thank you for speaking with me” (nothing if unknown)"
    ),
    "requested_date": gettext_lazy("when you sent the intro email"),
    "takeaway": gettext_lazy("your first takeaway from the conversation"),
    "takeaways": gettext_lazy("every takeaway, as a sentence (one) or a list (several)"),
    "next_steps": gettext_lazy("what you will do next: the conversation's open action items"),
    "at_organization": gettext_lazy(
        "“ at Northwind” (nothing when the contact has no organization)"
    ),
    "outcome": gettext_lazy("the internship or job"),
    "outcome_organization": gettext_lazy("where the internship or job is"),
    "outcome_at": gettext_lazy(
        "the internship or job and where it is, e.g. “the Data internship at Initech”"
    ),
}

_FIELD = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Draft:
    kind: str
    subject: str
    body: str
    to: str

    @property
    def mailto(self) -> str:
        return (
            f"mailto:{quote(self.to, safe='@')}?subject={quote(self.subject)}"
            f"&body={quote(self.body)}"
        )


def template_for(*, owner, kind: str) -> tuple[str, str, bool]:
    """Subject, body, and whether the student has customised it."""
    custom = EmailTemplate.objects.filter(owner=owner, kind=kind).first()
    if custom is not None:
        return custom.subject, custom.body, True
    subject, body = DEFAULTS[kind]
    return _(subject), _(body), False


def _fill(text: str, values: dict[str, str]) -> str:
    return _FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def merge_values(
    *, contact: Contact, conversation: Conversation | None = None, outcome=None, school: str
) -> dict[str, str]:
    owner = contact.owner
    first_name = contact.name.split()[0] if contact.name.split() else contact.name
    referrer = contact.referred_by if contact.may_use_referrer_name else None
    organization = contact.organization.name if contact.organization_id else ""
    values = {
        "contact_name": contact.name,
        "contact_first_name": first_name,
        "organization": organization or _("your organization"),
        "at_organization": " " + _("at %(organization)s") % {"organization": organization}
        if organization
        else "",
        "my_name": owner.display_name,
        "my_email": owner.email,
        "school": school,
        "goal": _("your field"),
        "referrer_name": referrer.name if referrer else "",
        "referral_sentence": " "
        + _("%(name)s suggested I reach out to you.") % {"name": referrer.name}
        if referrer
        else "",
        "meeting_date": _("our conversation"),
        "meeting_on": "",
        "requested_date": _("last week"),
        "takeaway": _("how much there is to learn about your path"),
        "takeaways": _(NO_TAKEAWAYS),
        "next_steps": _(NO_NEXT_STEPS),
        "outcome": _("an offer"),
        "outcome_organization": "",
    }
    if conversation is not None:
        if conversation.goal:
            values["goal"] = conversation.goal.strip().rstrip(".")
        when = conversation.held_at or conversation.scheduled_at
        if when:
            # Translators: a date format (Django's |date) for {meeting_date}, "March 4".
            meeting_format = pgettext("meeting date in an email draft", "F j")
            values["meeting_date"] = formats.date_format(timezone.localtime(when), meeting_format)
            values["meeting_on"] = " " + _("on %(date)s") % {"date": values["meeting_date"]}
        if conversation.requested_on:
            # Translators: a date format (Django's |date) for {requested_date}, which follows
            # "my note from" in the follow-up ("from March 4", or "from last week").
            requested_format = pgettext("intro date in an email draft", "F j")
            values["requested_date"] = formats.date_format(
                conversation.requested_on, requested_format
            )
        takeaways = _lines(conversation.takeaways)
        if takeaways:
            values["takeaway"] = takeaways[0].rstrip(".")
            values["takeaways"] = _one_or_list(
                takeaways,
                one=_("One thing I am taking away from our conversation: %(item)s"),
                several=_("Here is what I am taking away from our conversation:"),
            )
        steps = _lines("\n".join(conversation_open_steps(conversation)))
        if steps:
            values["next_steps"] = _one_or_list(
                steps, one=_("My next step: %(item)s"), several=_("Here is what I will do next:")
            )
    if outcome is not None:
        if outcome.title:
            if outcome.kind == OutcomeKind.INTERNSHIP:
                values["outcome"] = _("the %(title)s internship") % {"title": outcome.title}
            else:
                values["outcome"] = _("the %(title)s job") % {"title": outcome.title}
        else:
            if outcome.kind == OutcomeKind.INTERNSHIP:
                values["outcome"] = _("an internship")
            else:
                values["outcome"] = _("a job")
        values["outcome_organization"] = outcome.organization.name
    values["outcome_at"] = values["outcome"]
    if values["outcome_organization"]:
        values["outcome_at"] = _("%(outcome)s at %(organization)s") % {
            "outcome": values["outcome"],
            "organization": values["outcome_organization"],
        }
    return values


# What {takeaways} and {next_steps} say when the conversation has none written down: whole
# sentences, never a placeholder the student might send as it is.
# (Marked for translation here, translated in merge_values.)
NO_TAKEAWAYS = gettext_noop("I learned a great deal from hearing how you found your path.")
NO_NEXT_STEPS = gettext_noop("I will put your advice into practice over the coming weeks.")


def _lines(text: str) -> list[str]:
    """The non-empty lines of `text`, without list bullets the student typed."""
    lines = (line.strip().lstrip("-•*").strip() for line in (text or "").splitlines())
    return [line for line in lines if line]


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _one_or_list(lines: list[str], *, one: str, several: str) -> str:
    """One line as the sentence `one` with it as %(item)s (after a colon, as typed: lowering
    its first letter would mangle a name), several as `several` and a dashed list."""
    if len(lines) == 1:
        return one % {"item": _sentence(lines[0])}
    return several + "\n" + "\n".join(f"- {_sentence(line)}" for line in lines)


def conversation_open_steps(conversation: Conversation) -> list[str]:
    """The conversation's action items not done yet, oldest first (the thank-you tells the
    contact how the student will act on their advice)."""
    if conversation.pk is None:
        return []
    return list(
        conversation.action_items.filter(done_at__isnull=True)
        .order_by("due_on", "id")
        .values_list("text", flat=True)
    )


def draft_render(
    *, kind: str, contact: Contact, conversation=None, outcome=None, school: str
) -> Draft:
    subject, body, _ = template_for(owner=contact.owner, kind=kind)
    values = merge_values(
        contact=contact, conversation=conversation, outcome=outcome, school=school
    )
    # Subjects are one line: a merge value can never add a header.
    subject = " ".join(_fill(subject, values).split())
    return Draft(kind=kind, subject=subject, body=_fill(body, values), to=contact.email)


def unknown_fields(text: str) -> list[str]:
    """Merge fields the student typed that we do not know (shown as a warning)."""
    return sorted({m.group(1) for m in _FIELD.finditer(text)} - set(FIELD_HELP))
