"""The directory's result cards, built in Python.

Twenty cards through {% include %}, {% url %} and |date cost more than the page's queries.
The markup is what the card template this replaced (mentoring/_directory_card.html) rendered;
every value is escaped (html.escape, which django.utils.html.escape calls, quotes included).
"""

from __future__ import annotations

import datetime as dt
import functools
from html import escape

from django import template
from django.utils import dateformat, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from mentoring.selectors.directory.result_cards import DirectoryCard
from networking_app.rendering import object_url

register = template.Library()

_NO_SLOT = '<span class="muted">No open time in the coming weeks</span>'


@functools.lru_cache(maxsize=4096)
def _next_time(start_at: dt.datetime, zone: dt.tzinfo, language: str | None) -> str:
    """`start_at|date:"c"` and `start_at|date:"D j M, g:i A"` in `zone`, remembered: slots
    start on the hour or half hour, so the same few hundred recur on every page."""
    start = timezone.localtime(start_at, zone)
    when = escape(dateformat.format(start, "D j M, g:i A"))
    return f'Next open time: <time datetime="{start.isoformat()}">{when}</time>'


def _card(card: DirectoryCard, zone: dt.tzinfo, language: str | None) -> str:
    url = object_url("mentoring:mentor", "mentor_id", card.mentor_id)
    role = escape(card.title) if card.title else ""
    if card.title and card.organization:
        role += " at "
    role += escape(card.organization)
    meta = escape(card.affiliation)
    if card.class_year:
        meta += f", class of {int(card.class_year)}"
    for value in (card.industry, card.job_function, card.location):
        if value:
            meta += f" · {escape(value)}"
    topics = ""
    if card.topics:
        tags = " ".join(f'<span class="tag">{escape(topic)}</span>' for topic in card.topics)
        topics = (
            f'<p class="mentor-topics"><span class="visually-hidden">Can help with: </span>'
            f"{tags}</p>\n"
        )
    slot = card.next_slot
    next_time = _next_time(slot.start_at, zone, language) if slot else _NO_SLOT
    return (
        f'<li class="card mentor-card">\n<div class="mentor-card-head">\n'
        f'  <h3 class="mentor-name"><a href="{url}">{escape(card.name)}</a></h3>\n'
        f'  <p class="mentor-role">{role}</p>\n</div>\n'
        f'<p class="muted mentor-meta">{meta}</p>\n'
        f'{topics}<p class="mentor-next">{next_time}</p>\n</li>'
    )


@register.simple_tag
def mentor_card_items(cards: list[DirectoryCard]) -> SafeString:
    """One <li> per volunteer as students see them: name (linked to their page), title and
    organization, affiliation and class year, industry, function and location, topics, and
    the next open time in the student's time zone. A card holds only the fields the
    volunteer did not hide (selectors.directory_cards)."""
    zone, language = timezone.get_current_timezone(), get_language()
    return mark_safe("\n".join(_card(card, zone, language) for card in cards))  # noqa: S308
