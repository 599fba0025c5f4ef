"""Rows of the contacts list, built in Python.

Fifty rows through {% for %}, {% url %} and |date cost more than the rest of the page. The
markup is what templates/contacts/_contact_results.html rendered before; every value is escaped
(networking_app.rendering.esc).
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from contacts.models import Relationship
from networking_app.rendering import day, day_of, esc, object_url

register = template.Library()

_RELATIONSHIPS = dict(Relationship.choices)
_NEVER = '<span class="muted">Never</span>'
_LOSING = '<span class="badge badge-warning">Losing touch</span>'
_UPCOMING = '<span class="badge badge-info">Upcoming conversation</span>'


def _row(contact) -> str:
    organization = esc(contact.organization.name) if contact.organization_id else ""
    tags = " ".join(f'<span class="tag">{esc(name)}</span>' for name in contact.tag_names)
    last = contact.last_interaction_on
    last_contact = (
        f'<time datetime="{last.isoformat()}">{esc(day(last))}</time>' if last else _NEVER
    )
    badges = " ".join(
        badge
        for badge, shown in (
            (_LOSING, getattr(contact, "losing_touch", False)),
            (_UPCOMING, getattr(contact, "has_upcoming", False)),
        )
        if shown
    )
    relationship = _RELATIONSHIPS.get(contact.relationship, contact.relationship)
    return (
        f'<tr><td><a href="{object_url("contacts:detail", "contact_id", contact.pk)}">'
        f"{esc(contact.name)}</a></td><td>{organization}</td><td>{esc(contact.title)}</td>"
        f"<td>{esc(relationship)}</td><td>{tags}</td><td>{last_contact}</td><td>{badges}</td></tr>"
    )


@register.simple_tag
def contact_rows(contacts) -> SafeString:
    """The <tr> of each contact: name (linked), organization, title, relationship, tags, last
    contact and status badges. Each contact needs `tag_names` (selectors.attach_tag_names)."""
    return mark_safe("\n".join(_row(contact) for contact in contacts))  # noqa: S308 - escaped


# --- Today ----------------------------------------------------------------------------------


def _who(contact) -> str:
    """The contact's name, linked elsewhere, then ", Organization" when there is one."""
    if contact.organization_id:
        return f", {esc(contact.organization.name)}"
    return ""


def _draft_url(contact_id: int, kind: str) -> str:
    return object_url("contacts:draft", "contact_id", contact_id, kind=kind)


def _conversation_item(conversation, *, when: str, kind: str, action: str) -> str:
    contact = conversation.contact
    draft = f"{_draft_url(contact.pk, kind)}?conversation={conversation.pk}"
    return (
        f'<li><a href="{object_url("contacts:conversation", "conversation_id", conversation.pk)}">'
        f"{esc(contact.name)}</a>{_who(contact)} "
        f'<span class="muted">· {when}</span> '
        f'<a class="pl-action" href="{draft}">'
        f'{action}<span class="visually-hidden"> to {esc(contact.name)}</span></a></li>'
    )


@register.simple_tag
def today_thank_yous(conversations) -> SafeString:
    """The items of "Thank-you notes overdue" on the Today page."""
    return mark_safe(  # noqa: S308 - escaped
        "\n".join(
            _conversation_item(
                c,
                when=f"held {esc(day_of(c.held_at, 'D j M'))}",
                kind="thank_you",
                action="Write the thank-you note",
            )
            for c in conversations
        )
    )


@register.simple_tag
def today_follow_ups(conversations) -> SafeString:
    """The items of "Follow-ups due" on the Today page."""
    return mark_safe(  # noqa: S308 - escaped
        "\n".join(
            _conversation_item(
                c,
                when=f"intro sent {esc(day(c.requested_on, 'D j M'))}",
                kind="follow_up",
                action="Write a follow-up",
            )
            for c in conversations
        )
    )


@register.simple_tag
def today_losing_touch(contacts) -> SafeString:
    """The items of "Losing touch" on the Today page."""
    items = []
    for contact in contacts:
        last = contact.last_interaction_on
        since = f"last in touch {esc(day(last, 'j M Y'))}" if last else "no contact logged yet"
        items.append(
            f'<li><a href="{object_url("contacts:detail", "contact_id", contact.pk)}">'
            f"{esc(contact.name)}</a>{_who(contact)} "
            f'<span class="muted">· {since}</span> '
            f'<a class="pl-action" href="{_draft_url(contact.pk, "stay_in_touch")}">'
            f"Write a stay-in-touch note"
            f'<span class="visually-hidden"> to {esc(contact.name)}</span></a></li>'
        )
    return mark_safe("\n".join(items))  # noqa: S308 - escaped
