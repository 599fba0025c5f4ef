"""What "download my data" (networking_app/accounts/my_data.py) holds of contacts: a
student's contacts (also as CSV and vCard), tags, target organizations, conversations,
imports, action items, interactions, outcomes, email templates, questions, and their
conversations in the calendar. Registered in ContactsConfig.ready()."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.exports.contacts import contacts_csv_text, contacts_vcard_text
from contacts.ics import conversation_uid
from contacts.models import (
    ActionItem,
    Contact,
    Conversation,
    EmailTemplate,
    ImportBatch,
    Interaction,
    Outcome,
    Question,
    Tag,
    TargetOrganization,
)
from networking_app.accounts.models import User
from networking_app.accounts.my_data import (
    STUDENT,
    DataFile,
    export_fields,
    export_value,
    register,
    register_calendar_events,
)
from networking_app.core.calendar_files import CalendarItem, Status

CONTACT_FIELDS = [
    "id",
    "name",
    "email",
    "phone",
    "linkedin_url",
    "title",
    "industry",
    "relationship",
    "how_met",
    "notes",
    "cadence_days",
    "referred_by_id",
    "may_use_referrer_name",
    "source",
    "last_interaction_on",
    "created_at",
    "updated_at",
]


def contacts_data(user: User) -> list[dict]:
    contacts = (
        Contact.objects.filter(owner=user)
        .select_related("organization")
        .prefetch_related("tags")
        .order_by("name", "id")
    )
    rows = []
    for contact in contacts:
        row = export_fields(contact, CONTACT_FIELDS)
        row["organization"] = contact.organization.name if contact.organization_id else ""
        row["tags"] = sorted(tag.name for tag in contact.tags.all())
        rows.append(row)
    return rows


def imports_data(user: User) -> list[dict]:
    """What was imported when (the uploaded files themselves are not kept after an import)."""
    batches = ImportBatch.objects.filter(owner=user).order_by("created_at")
    return [
        export_fields(
            b,
            [
                "filename",
                "format",
                "status",
                "total_rows",
                "created_count",
                "merged_count",
                "skipped_count",
                "created_at",
                "committed_at",
                "undone_at",
            ],
        )
        for b in batches
    ]


def tags_data(user: User) -> list[dict]:
    tags = Tag.objects.filter(owner=user).annotate(contact_count=Count("contacts"))
    return [{"name": tag.name, "contacts": tag.contact_count} for tag in tags.order_by("name")]


def target_organizations_data(user: User) -> list[dict]:
    targets = TargetOrganization.objects.filter(owner=user).select_related("organization")
    return [
        {
            "organization": target.organization.name,
            "priority": target.get_priority_display(),
            "notes": target.notes,
            "created_at": export_value(target.created_at),
        }
        for target in targets
    ]


CONVERSATION_FIELDS = [
    "id",
    "goal",
    "status",
    "requested_on",
    "scheduled_at",
    "duration_minutes",
    "mode",
    "location",
    "held_at",
    "thanked_at",
    "closed_at",
    "notes",
    "takeaways",
    "created_at",
    "updated_at",
]


def _conversations(user: User):
    return (
        Conversation.objects.filter(owner=user)
        .select_related("contact")
        .prefetch_related("questions", "changes")
        .order_by("created_at", "id")
    )


def conversations_data(user: User) -> list[dict]:
    rows = []
    for conversation in _conversations(user):
        row = export_fields(conversation, CONVERSATION_FIELDS)
        row["contact"] = {"id": conversation.contact_id, "name": conversation.contact.name}
        row["prepared_questions"] = [
            {"question": q.text, "answer": q.answer} for q in conversation.questions.all()
        ]
        row["changes"] = [
            export_fields(
                change, ["kind", "asked_by", "reason", "previous_at", "new_at", "created_at"]
            )
            for change in conversation.changes.all()
        ]
        rows.append(row)
    return rows


def action_items_data(user: User) -> list[dict]:
    items = ActionItem.objects.filter(owner=user).select_related("contact", "conversation")
    return [
        {
            **export_fields(item, ["text", "due_on", "done_at", "created_at"]),
            "contact": item.contact.name if item.contact_id else None,
            "conversation_id": item.conversation_id,
        }
        for item in items
    ]


def interactions_data(user: User) -> list[dict]:
    interactions = Interaction.objects.filter(owner=user).select_related("contact")
    return [
        {
            **export_fields(i, ["kind", "occurred_on", "note", "conversation_id", "created_at"]),
            "contact": {"id": i.contact_id, "name": i.contact.name},
        }
        for i in interactions
    ]


def outcomes_data(user: User) -> list[dict]:
    outcomes = (
        Outcome.objects.filter(owner=user)
        .select_related("organization")
        .prefetch_related(Prefetch("helped_by", queryset=Contact.objects.only("id", "name")))
    )
    return [
        {
            **export_fields(o, ["kind", "title", "decided_on", "notes", "created_at"]),
            "organization": o.organization.name,
            "helped_by": [c.name for c in o.helped_by.all()],
        }
        for o in outcomes
    ]


def email_templates_data(user: User) -> list[dict]:
    return [
        export_fields(t, ["kind", "subject", "body", "updated_at"])
        for t in EmailTemplate.objects.filter(owner=user).order_by("kind")
    ]


def questions_data(user: User) -> list[dict]:
    return [export_fields(q, ["text", "created_at"]) for q in Question.objects.filter(owner=user)]


def calendar_events(user: User, stamp: dt.datetime) -> list[CalendarItem]:
    """Conversations that have a time, for the ZIP's calendar.ics."""
    conversations = (
        Conversation.objects.filter(owner=user, scheduled_at__isnull=False)
        .select_related("contact")
        .order_by("scheduled_at")
    )
    return [
        CalendarItem(
            uid=conversation_uid(conversation),
            stamp=stamp,
            start=conversation.scheduled_at,
            end=conversation.scheduled_at
            + dt.timedelta(minutes=conversation.duration_minutes or 30),
            summary=_("Career conversation with %(name)s") % {"name": conversation.contact.name},
            description=conversation.goal,
            location=conversation.location,
            status=Status.CANCELLED if conversation.status == "declined" else Status.CONFIRMED,
        )
        for conversation in conversations
    ]


def register_data_files() -> None:
    register(
        DataFile(
            "contacts.json",
            gettext_lazy("your contacts, with their tags"),
            contacts_data,
            STUDENT,
            10,
        ),
        DataFile("tags.json", gettext_lazy("your tags"), tags_data, STUDENT, 11),
        DataFile(
            "target_organizations.json",
            gettext_lazy("the organizations you target"),
            target_organizations_data,
            STUDENT,
            12,
        ),
        DataFile(
            "conversations.json",
            gettext_lazy("your career conversations, with prepared questions, notes and changes"),
            conversations_data,
            STUDENT,
            13,
        ),
        DataFile(
            "imports.json", gettext_lazy("the contact imports you made"), imports_data, STUDENT, 14
        ),
        DataFile(
            "action_items.json", gettext_lazy("your action items"), action_items_data, STUDENT, 15
        ),
        DataFile(
            "interactions.json",
            gettext_lazy("the interactions you logged"),
            interactions_data,
            STUDENT,
            16,
        ),
        DataFile(
            "outcomes.json",
            gettext_lazy("internships and jobs you recorded"),
            outcomes_data,
            STUDENT,
            17,
        ),
        DataFile(
            "email_templates.json",
            gettext_lazy("your own email templates"),
            email_templates_data,
            STUDENT,
            18,
        ),
        DataFile(
            "questions.json",
            gettext_lazy("the questions you added to your bank"),
            questions_data,
            STUDENT,
            19,
        ),
        DataFile(
            "contacts.csv",
            gettext_lazy("your contacts, for a spreadsheet (UTF-8, Excel-ready)"),
            lambda user: contacts_csv_text(user=user).encode(),
            STUDENT,
            90,
            raw=True,
        ),
        DataFile(
            "contacts.vcf",
            gettext_lazy("your contacts as vCard 4.0"),
            lambda user: contacts_vcard_text(user=user).encode(),
            STUDENT,
            91,
            raw=True,
        ),
    )
    register_calendar_events("contacts.conversations", calendar_events, order=10)
