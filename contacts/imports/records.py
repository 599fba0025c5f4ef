"""One contact as read from a file: cleaned, checked, and told apart from a broken one.

Every importer produces ``RawRecord`` dicts (field -> text or list); ``clean_record`` turns one
into the stored row data with its status (new or invalid), the reason and any warnings.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils import timezone

from contacts.models import Cadence, Relationship

LIMITS = {"name": 200, "organization": 200, "title": 200, "industry": 120, "how_met": 300}
LABELS = {
    "name": "The name",
    "organization": "The organization",
    "title": "The job title",
    "industry": "The industry",
    "how_met": "How you met",
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
RELATIONSHIP_LOOKUP = {
    **{value.casefold(): value for value in Relationship.values},
    **{label.casefold(): value for value, label in Relationship.choices},
}
# "Every month" (Rapport's CSV) or "30" (its vCard) -> days.
CADENCE_LOOKUP = {
    **{str(value): value for value in Cadence.values},
    **{label.casefold(): value for value, label in Cadence.choices},
}


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
        warnings.append(f"“{raw.linkedin_url[:80]}” is not a LinkedIn address; kept in the notes.")

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
        invalid = "No name" + (f" (only “{label[:60]}”)" if label else "") + "."
        return CleanRow(line=raw.line, data=data, invalid=invalid)
    for key, limit in LIMITS.items():
        if len(data[key]) > limit:
            return CleanRow(
                line=raw.line,
                data={**data, key: data[key][:limit] + "…"},
                invalid=f"{LABELS[key]} is longer than {limit} characters.",
            )
    if bad_emails and not good_emails:
        return CleanRow(
            line=raw.line,
            data=data,
            invalid=f"“{bad_emails[0][:80]}” is not a valid email address.",
        )
    for email in bad_emails:
        warnings.append(f"“{email[:80]}” is not a valid email address; left out.")
    extra_lines = []
    if len(good_emails) > 1:
        extra_lines.append("Other email addresses: " + ", ".join(good_emails[1:]))
    if phones:
        if len(phones[0]) <= PHONE_MAX:
            data["phone"] = phones[0]
            extra = phones[1:]
        else:
            warnings.append("The phone number is too long for the phone field; kept in the notes.")
            extra = phones
        if extra:
            extra_lines.append("Other phone numbers: " + ", ".join(extra))
    if other_urls:
        extra_lines.append("Websites: " + ", ".join(other_urls))
    if extra_lines:
        data["notes"] = "\n".join([data["notes"], *extra_lines]).strip()
    if len(data["notes"]) > NOTES_MAX:
        return CleanRow(
            line=raw.line,
            data={**data, "notes": data["notes"][:200] + "…"},
            invalid=f"The notes are longer than {NOTES_MAX:,} characters.",
        )
    relationship = one_line(cell(raw.relationship))
    if relationship:
        found = RELATIONSHIP_LOOKUP.get(relationship.casefold())
        if found:
            data["relationship"] = found
        else:
            warnings.append(f"Unknown relationship “{relationship[:40]}”: set to “Other”.")
    cadence = one_line(cell(raw.cadence))
    if cadence:
        found = CADENCE_LOOKUP.get(cadence.casefold())
        if found is None:
            warnings.append(f"Unknown stay-in-touch rhythm “{cadence[:40]}”: left out.")
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
            warnings.append(f"Could not read the date “{raw.connected_on.strip()[:30]}”.")
        elif when > (today or timezone.localdate()) + dt.timedelta(days=1):
            warnings.append(f"The date {when:%d %b %Y} is in the future; left out.")
        else:
            data["connected_on"] = when.isoformat()
    return CleanRow(line=raw.line, data=data, warnings=warnings)
