"""An inbound email's parts and the text in them (contacts/capture/parsing.py reads the rest):
the walk over a message's parts, guarded and bounded, each text part decoded, HTML turned into
text, and a forwarded message attached as `message/rfc822`."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage, Message
from html.parser import HTMLParser

# How much of a message is looked at: the text a person wrote is at the top, and a message with
# thousands of parts or megabytes of text is not a networking email.
MAX_TEXT = 200_000
MAX_PARTS = 200


class _HTMLText(HTMLParser):
    """The text of an HTML body, with line breaks where blocks end and quoted replies
    (`<blockquote>`) marked with "> " as a plain-text client would."""

    BLOCKS = frozenset(
        {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol"}
        | {"blockquote", "hr", "pre", "section", "article"}
    )
    SKIP = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.skipping = 0
        self.quoting = 0
        self.size = 0

    def _newline(self) -> None:
        if self.lines[-1].strip():
            self.lines.append("")

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag == "blockquote":
            self._newline()
            self.quoting += 1
        elif tag in self.BLOCKS:
            self._newline()

    def handle_startendtag(self, tag, attrs):
        if tag in self.BLOCKS:
            self._newline()

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "blockquote":
            self._newline()
            self.quoting = max(0, self.quoting - 1)
        elif tag in self.BLOCKS:
            self._newline()

    def handle_data(self, data):
        if self.skipping or self.size > MAX_TEXT:
            return
        self.size += len(data)
        words = " ".join(data.replace("\xa0", " ").split())
        line = self.lines[-1]
        if not words:
            if line and not line.endswith(" "):
                self.lines[-1] = line + " "
            return
        if not line.strip():
            line = "> " * self.quoting
        elif data[:1].isspace() and not line.endswith(" "):
            line += " "
        line += words
        if data[-1:].isspace():
            line += " "
        self.lines[-1] = line

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.lines).strip()


def html_to_text(html: str) -> str:
    parser = _HTMLText()
    try:
        parser.feed(html[:MAX_TEXT])
        parser.close()
    except Exception:  # noqa: S110 - what was read so far is the text
        pass
    return parser.text()


def part_text(part: Message) -> str:
    try:
        text = part.get_content() if isinstance(part, EmailMessage) else None
        if not isinstance(text, str):
            raise TypeError
    except Exception:  # an unknown or wrong charset: decode what is there
        try:
            payload = part.get_payload(decode=True) or b""
        except Exception:
            payload = b""
        if not isinstance(payload, bytes):
            payload = str(payload).encode("utf-8", "replace")
        charset = "utf-8"
        try:
            charset = part.get_content_charset() or "utf-8"
            text = payload.decode(charset, "replace")
        except (LookupError, ValueError):
            text = payload.decode("utf-8", "replace")
        except Exception:
            text = payload.decode("utf-8", "replace")
    text = text[:MAX_TEXT]
    try:
        if part.get_content_subtype() == "html":
            return html_to_text(text)
    except Exception:  # noqa: S110
        pass
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True)
class Part:
    part: Message
    content_type: str
    attachment: bool
    attached: bool  # inside a message/rfc822 part


def walk_parts(message: Message) -> list[Part]:
    """The message's parts, each one's type and disposition read once (policy.default parses a
    header again at every read), without recursion (a deeply nested message cannot exhaust the
    stack), at most MAX_PARTS of them."""
    found: list[Part] = []
    stack: list[tuple[Message, bool]] = [(message, False)]
    while stack and len(found) < MAX_PARTS:
        part, attached = stack.pop()
        try:
            content_type = part.get_content_type()
        except Exception:
            content_type = "text/plain"
        try:
            attachment = part.get_content_disposition() == "attachment"
        except Exception:
            attachment = False
        found.append(Part(part, content_type, attachment, attached))
        try:
            children = part.get_payload() if part.is_multipart() else None
        except Exception:
            children = None
        if isinstance(children, list):
            inside = attached or content_type == "message/rfc822"
            stack.extend(
                (child, inside) for child in reversed(children) if isinstance(child, Message)
            )
    return found


def body_text(parts: list[Part]) -> str:
    """The message's own text: its first plain part, else its first HTML part as text (not an
    attachment, not inside an attached message)."""
    for wanted in ("text/plain", "text/html"):
        for item in parts:
            if item.content_type == wanted and not item.attachment and not item.attached:
                return part_text(item.part)
    return ""


def attached_message(parts: list[Part]) -> Message | None:
    for item in parts:
        if item.content_type == "message/rfc822" and not item.attached:
            try:
                inner = item.part.get_payload()
            except Exception:
                return None
            if isinstance(inner, list) and inner:
                inner = inner[0]
            return inner if isinstance(inner, Message) else None
    return None
