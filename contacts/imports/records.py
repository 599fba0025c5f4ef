"""One contact as read from a file: cleaned, checked, and told apart from a broken one.

Every importer produces ``RawRecord`` dicts (field -> text or list); ``clean_record`` turns one
into the stored row data with its status (new or invalid), the reason and any warnings.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.models import Cadence, Relationship

LIMITS = {"name": 200, "organization": 200, "title": 200, "industry": 120, "how_met": 300}
# What a row's reason says when a field is too long (“%(field)s is longer than …”).
TOO_LONG = {
    "name": gettext_lazy("The name is longer than %(limit)s characters."),
    "organization": gettext_lazy("The organization is longer than %(limit)s characters."),
    "title": gettext_lazy("The job title is longer than %(limit)s characters."),
    "industry": gettext_lazy("The industry is longer than %(limit)s characters."),
    "how_met": gettext_lazy("How you met is longer than %(limit)s characters."),
}
PHONE_MAX = 40
EMAIL_MAX = 254
URL_MAX = 300
TAG_MAX = 40
NOTES_MAX = 20_000
DATE_FORMATS = [
    "%d %b %Y",  # LinkedIn: 12 Mar 2024
    "%d %B %Y",
    "%d-%b-%y",  # older LinkedIn: 12-Mar-24
    "%d-%b-%Y",
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%b %d, %Y",
    "%B %d, %Y",
]
_email = EmailValidator()
# Rapport's CSV export neutralises cells that a spreadsheet would run as a formula.
_NEUTRALISED = re.compile(r"^'(?=[=+\-@\t\r])")


@functools.cache
def choice_lookups() -> tuple[dict[str, str], dict[str, int]]:
    """Relationships and stay-in-touch rhythms by value or label: "Every month" (Rapport's
    CSV, in English) or "30" (its vCard) -> days. Labels in every language the site speaks
    are read too, English first: a file typed by hand may use the student's own."""
    relationships = {value.casefold(): value for value in Relationship.values}
    cadences = {str(value): value for value in Cadence.values}
    for code in ["en", *(code for code, _name in settings.LANGUAGES if code != "en")]:
        with translation.override(code):
            for value, label in Relationship.choices:
                relationships.setdefault(str(label).casefold(), value)
            for value, label in Cadence.choices:
                cadences.setdefault(str(label).casefold(), value)
    return relationships, cadences


@dataclass
class RawRecord:
    """What a file says about one person, before any checking."""

    line: int = 0
    name: str = ""
    first_name: str = ""
    middle_name: str = ""
    last_name: str = ""
    prefix: str = ""
    suffix: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    organization: str = ""
    title: str = ""
    industry: str = ""
    linkedin_url: str = ""
    websites: list[str] = field(default_factory=list)
    relationship: str = ""
    how_met: str = ""
    tags: list[str] = field(default_factory=list)
    notes: str = ""
    connected_on: str = ""
    cadence: str = ""
    broken: str = ""  # set by a reader that could not make sense of the row at all
    warnings: list[str] = field(default_factory=list)  # what the reader left out, and why

    def is_empty(self) -> bool:
        return not self.broken and not any(
            [
                self.name,
                self.first_name,
                self.middle_name,
                self.last_name,
                self.emails,
                self.phones,
                self.organization,
                self.title,
                self.industry,
                self.linkedin_url,
                self.websites,
                self.how_met,
                self.tags,
                self.notes,
            ]
        )


@dataclass
class CleanRow:
    line: int
    data: dict
    invalid: str = ""
    warnings: list[str] = field(default_factory=list)


def cell(value: str | None) -> str:
    """A cell's text: spaces trimmed, a neutralised formula prefix taken off."""
    value = (value or "").replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()
    return _NEUTRALISED.sub("", value)


def one_line(value: str) -> str:
    return " ".join(value.split())


_LINKEDIN = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://)?(?:[a-z0-9-]+\.)*linkedin\.com(?:[:/?#]|$)", re.I
)
# What a LinkedIn profile address may look like once it has a scheme (URLValidator is far
# slower, and the host is already known to be LinkedIn's).
_PROFILE = re.compile(r"^https?://[a-z0-9.-]+(?::\d+)?(?:[/?#]\S*)?$", re.I)


def is_linkedin(url: str) -> bool:
    return bool(_LINKEDIN.match(url.strip()))


def _with_scheme(url: str) -> str:
    return url if re.match(r"^[a-z][a-z0-9+.-]*://", url, re.I) else "https://" + url


def _valid_email(email: str) -> bool:
    if len(email) > EMAIL_MAX:
        return False
    try:
        _email(email)
    except ValidationError:
        return False
    return True


@functools.lru_cache(maxsize=4096)
def parse_date(text: str) -> dt.date | None:
    text = one_line(text)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def tag_name(text: str) -> str:
    """A tag as stored: single spaces, lower case, at most 40 characters (cut after lowering:
    some letters grow when lowered)."""
    return " ".join(text.split()).lower()[:TAG_MAX].strip()


def split_tags(text: str, separators: str = r";|,|:::") -> list[str]:
    return [t for t in (one_line(p) for p in re.split(separators, text or "")) if t]


def clean_record(raw: RawRecord, today: dt.date | None = None) -> CleanRow:
    """The row as it will be stored: one email, one phone and one LinkedIn address on the
    contact, every other address or number kept in the notes, and a reason when the row
    cannot become a contact."""
    warnings: list[str] = list(raw.warnings)
    if raw.broken:
        return CleanRow(
            line=raw.line,
            data={"name": one_line(cell(raw.name))[:200]},
            invalid=raw.broken,
            warnings=warnings,
        )
    name = one_line(cell(raw.name))
    if not name:
        parts = [cell(p) for p in [raw.first_name, raw.middle_name, raw.last_name] if p]
        name = one_line(" ".join(parts))
        if name and raw.suffix:
            name = f"{name} {one_line(cell(raw.suffix))}"
    emails = []
    for text in raw.emails:
        for part in re.split(r"\s*:::\s*|[;,\s]+", cell(text)):
            if part and part.casefold() not in {e.casefold() for e in emails}:
                emails.append(part.removeprefix("mailto:").removeprefix("MAILTO:"))
    good_emails = [e for e in emails if _valid_email(e)]
    bad_emails = [e for e in emails if not _valid_email(e)]
    phones = []
    for text in raw.phones:
        for part in re.split(r"\s*:::\s*", cell(text)):
            part = one_line(part)
            part = part[4:] if part.lower().startswith("tel:") else part
            if part and part not in phones:
                phones.append(part)
    urls = []
    for text in [raw.linkedin_url, *raw.websites]:
        for part in re.split(r"\s*:::\s*", cell(text)):
            part = part.strip()
            if part and part not in urls:
                urls.append(part)
    linkedin = ""
    other_urls = []
    for url in urls:
        if (
            not linkedin
            and is_linkedin(url)
            and len(_with_scheme(url)) <= URL_MAX
            and _PROFILE.match(_with_scheme(url))
        ):
            linkedin = _with_scheme(url)
        else:
            other_urls.append(url)
    if raw.linkedin_url and not linkedin:
        warnings.append(
            _("“%(url)s” is not a LinkedIn address; kept in the notes.")
            % {"url": raw.linkedin_url[:80]}
        )

    data = {
        "name": name,
        "email": good_emails[0] if good_emails else "",
        "phone": "",
        "linkedin_url": linkedin,
        "organization": one_line(cell(raw.organization)),
        "title": one_line(cell(raw.title)),
        "industry": one_line(cell(raw.industry)),
        "relationship": Relationship.OTHER.value,
        "how_met": one_line(cell(raw.how_met)),
        "tags": [],
        "notes": cell(raw.notes),
        "connected_on": "",
        "cadence_days": 0,
    }
    if not name:
        label = data["email"] or data["organization"] or (phones[0] if phones else "")
        if label:
            invalid = _("No name (only “%(value)s”).") % {"value": label[:60]}
        else:
            invalid = _("No name.")
        return CleanRow(line=raw.line, data=data, invalid=invalid)
    for key, limit in LIMITS.items():
        if len(data[key]) > limit:
            return CleanRow(
                line=raw.line,
                data={**data, key: data[key][:limit] + "…"},
                invalid=TOO_LONG[key] % {"limit": limit},
            )
    if bad_emails and not good_emails:
        return CleanRow(
            line=raw.line,
            data=data,
            invalid=_("“%(email)s” is not a valid email address.") % {"email": bad_emails[0][:80]},
        )
    for email in bad_emails:
        warnings.append(
            _("“%(email)s” is not a valid email address; left out.") % {"email": email[:80]}
        )
    extra_lines = []
    if len(good_emails) > 1:
        extra_lines.append(_("Other email addresses") + ": " + ", ".join(good_emails[1:]))
    if phones:
        if len(phones[0]) <= PHONE_MAX:
            data["phone"] = phones[0]
            extra = phones[1:]
        else:
            warnings.append(
                _("The phone number is too long for the phone field; kept in the notes.")
            )
            extra = phones
        if extra:
            extra_lines.append(_("Other phone numbers") + ": " + ", ".join(extra))
    if other_urls:
        extra_lines.append(_("Websites") + ": " + ", ".join(other_urls))
    if extra_lines:
        data["notes"] = "\n".join([data["notes"], *extra_lines]).strip()
    if len(data["notes"]) > NOTES_MAX:
        return CleanRow(
            line=raw.line,
            data={**data, "notes": data["notes"][:200] + "…"},
            invalid=_("The notes are longer than %(limit)s characters.")
            % {"limit": f"{NOTES_MAX:,}"},
        )
    relationship_lookup, cadence_lookup = choice_lookups()
    relationship = one_line(cell(raw.relationship))
    if relationship:
        found = relationship_lookup.get(relationship.casefold())
        if found:
            data["relationship"] = found
        else:
            warnings.append(
                _("Unknown relationship “%(value)s”: set to “%(other)s”.")
                % {"value": relationship[:40], "other": Relationship.OTHER.label}
            )
    cadence = one_line(cell(raw.cadence))
    if cadence:
        found = cadence_lookup.get(cadence.casefold())
        if found is None:
            warnings.append(
                _("Unknown stay-in-touch rhythm “%(value)s”: left out.") % {"value": cadence[:40]}
            )
        else:
            data["cadence_days"] = found
    tags: dict[str, None] = {}
    for tag in raw.tags:
        tag = tag_name(cell(tag))
        if tag:
            tags.setdefault(tag, None)
    data["tags"] = list(tags)
    if raw.connected_on.strip():
        when = parse_date(cell(raw.connected_on))
        if when is None:
            warnings.append(
                _("Could not read the date “%(value)s”.") % {"value": raw.connected_on.strip()[:30]}
            )
        elif when > (today or timezone.localdate()) + dt.timedelta(days=1):
            warnings.append(
                _("The date %(date)s is in the future; left out.") % {"date": f"{when:%d %b %Y}"}
            )
        else:
            data["connected_on"] = when.isoformat()
    return CleanRow(line=raw.line, data=data, warnings=warnings)
