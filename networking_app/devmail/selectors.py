from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings

MESSAGE_NAME = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9]{6}-[0-9a-f]{8}\.eml$")


@dataclass(frozen=True)
class StoredMessage:
    name: str
    subject: str
    sender: str
    to: str
    date: datetime | None
    text: str
    html: str


def _read(path: Path) -> StoredMessage:
    with path.open("rb") as fh:
        message: EmailMessage = BytesParser(policy=policy.default).parse(fh)
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    try:
        date = parsedate_to_datetime(message["Date"]) if message["Date"] else None
    except (TypeError, ValueError):
        date = None
    return StoredMessage(
        name=path.name,
        subject=str(message["Subject"] or "(no subject)"),
        sender=str(message["From"] or ""),
        to=str(message["To"] or ""),
        date=date,
        text=text_part.get_content() if text_part is not None else "",
        html=html_part.get_content() if html_part is not None else "",
    )


def mailbox_messages(*, limit: int = 200) -> list[StoredMessage]:
    """The newest messages first."""
    directory = Path(settings.MAILBOX_DIR)
    if not directory.is_dir():
        return []
    names = sorted(p.name for p in directory.glob("*.eml") if MESSAGE_NAME.match(p.name))
    return [_read(directory / name) for name in reversed(names[-limit:])]


def mailbox_message_get(*, name: str) -> StoredMessage | None:
    if not MESSAGE_NAME.match(name):
        return None
    path = Path(settings.MAILBOX_DIR) / name
    if not path.is_file():
        return None
    return _read(path)
