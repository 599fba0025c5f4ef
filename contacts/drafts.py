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

from contacts.models import Contact, Conversation, DraftKind, EmailTemplate

DEFAULTS: dict[str, tuple[str, str]] = {
    DraftKind.INTRO: (
        "Could I ask you about your work at {organization}?",
        "Dear {contact_first_name},\n\n"
        "My name is {my_name} and I am a student at {school}.{referral_sentence} "
        "I am interested in {goal} and would be grateful for 20 minutes of your time to hear "
        "how you found your path and what advice you have for someone entering the field.\n\n"
        "Would you be open to a short call or coffee in the next few weeks? I am happy to work "
        "around your schedule.\n\n"
        "Thank you for considering it,\n{my_name}",
    ),
    DraftKind.THANK_YOU: (
        "Thank you for your time",
        "Dear {contact_first_name},\n\n"
        "Thank you for speaking with me{meeting_on}. {takeaways}\n\n"
        "{next_steps}\n\n"
        "I will let you know how things go. Thank you again for your generosity.\n\n"
        "Best regards,\n{my_name}",
    ),
    DraftKind.FOLLOW_UP: (
        "Following up: a conversation about {organization}",
        "Dear {contact_first_name},\n\n"
        "I hope you are well. I wanted to follow up on my note from {requested_date} about a "
        "short conversation. I understand you are busy; if a 15-minute call would be easier, "
        "I would be glad to fit your schedule.\n\n"
        "Thank you,\n{my_name}",
    ),
    DraftKind.STAY_IN_TOUCH: (
        "An update from {my_name}",
        "Dear {contact_first_name},\n\n"
        "I hope all is well{at_organization}. Your advice has stayed with me since we last "
        "spoke, and I would love to hear how things are going for you.\n\n"
        "Best,\n{my_name}",
    ),
    DraftKind.OUTCOME: (
        "Good news, and thank you",
        "Dear {contact_first_name},\n\n"
        "I wanted to let you know that I have accepted {outcome_at}. "
        "Our conversation helped me get here, and I am grateful.\n\n"
        "You can keep in touch with me at {my_email}.\n\n"
        "With thanks,\n{my_name}",
    ),
}

FIELD_HELP = {
    "contact_name": "the contact's full name",
    "contact_first_name": "the contact's first name",
    "organization": "the contact's organization",
    "my_name": "your name",
    "my_email": "your email address",
    "school": "your school",
    "goal": "what you want to learn (from the conversation)",
    "referrer_name": "who referred you (only when they allowed you to use their name)",
    "referral_sentence": "“NAME suggested I reach out to you.” when permission was given",
    "meeting_date": "the date of the conversation",
    "meeting_on": "“ on March 4” after “Thank you for speaking with me” (nothing if unknown)",
    "requested_date": "when you sent the intro email",
    "takeaway": "your first takeaway from the conversation",
    "takeaways": "every takeaway, as a sentence (one) or a list (several)",
    "next_steps": "what you will do next: the conversation's open action items",
    "at_organization": "“ at Northwind” (nothing when the contact has no organization)",
    "outcome": "the internship or job",
    "outcome_organization": "where the internship or job is",
    "outcome_at": "the internship or job and where it is, e.g. “the Data internship at Initech”",
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
    return subject, body, False


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
        "organization": organization or "your organization",
        "at_organization": f" at {organization}" if organization else "",
        "my_name": owner.display_name,
        "my_email": owner.email,
        "school": school,
        "goal": "your field",
        "referrer_name": referrer.name if referrer else "",
        "referral_sentence": f" {referrer.name} suggested I reach out to you." if referrer else "",
        "meeting_date": "our conversation",
        "meeting_on": "",
        "requested_date": "last week",
        "takeaway": "how much there is to learn about your path",
        "takeaways": NO_TAKEAWAYS,
        "next_steps": NO_NEXT_STEPS,
        "outcome": "an offer",
        "outcome_organization": "",
    }
    if conversation is not None:
        if conversation.goal:
            values["goal"] = conversation.goal.strip().rstrip(".")
        when = conversation.held_at or conversation.scheduled_at
        if when:
            values["meeting_date"] = formats.date_format(timezone.localtime(when), "F j")
            values["meeting_on"] = f" on {values['meeting_date']}"
        if conversation.requested_on:
            values["requested_date"] = formats.date_format(conversation.requested_on, "F j")
        takeaways = _lines(conversation.takeaways)
        if takeaways:
            values["takeaway"] = takeaways[0].rstrip(".")
            values["takeaways"] = _one_or_list(
                takeaways, one="One thing I am taking away from our conversation: {}",
                several="Here is what I am taking away from our conversation:",
            )  # fmt: skip
        steps = _lines("\n".join(conversation_open_steps(conversation)))
        if steps:
            values["next_steps"] = _one_or_list(
                steps, one="My next step: {}", several="Here is what I will do next:"
            )
    if outcome is not None:
        values["outcome"] = f"{outcome.get_kind_display().replace(' offer', '').lower()}"
        if outcome.title:
            values["outcome"] = f"the {outcome.title} {values['outcome']}"
        else:
            values["outcome"] = (
                f"an {values['outcome']}"
                if values["outcome"][0] in "aeiou"
                else (f"a {values['outcome']}")
            )
        values["outcome_organization"] = outcome.organization.name
    values["outcome_at"] = values["outcome"] + (
        f" at {values['outcome_organization']}" if values["outcome_organization"] else ""
    )
    return values


# What {takeaways} and {next_steps} say when the conversation has none written down: whole
# sentences, never a placeholder the student might send as it is.
NO_TAKEAWAYS = "I learned a great deal from hearing how you found your path."
NO_NEXT_STEPS = "I will put your advice into practice over the coming weeks."


def _lines(text: str) -> list[str]:
    """The non-empty lines of `text`, without list bullets the student typed."""
    lines = (line.strip().lstrip("-•*").strip() for line in (text or "").splitlines())
    return [line for line in lines if line]


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _one_or_list(lines: list[str], *, one: str, several: str) -> str:
    """One line as the sentence `one` (after a colon, as typed: lowering its first letter
    would mangle a name), several as `several` and a dashed list."""
    if len(lines) == 1:
        return one.format(_sentence(lines[0]))
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
