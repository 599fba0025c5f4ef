"""The SMTP backend the outbox delivers with (settings.OUTBOX_DELIVERY_BACKEND in production).

Django's SMTP backend drops what smtplib's `sendmail()` returns: the recipients the server
refused while it accepted others. A message to a student and a volunteer whose address is
refused would count as sent, and the volunteer would never get it. This backend leaves that
answer on the message as `refused_recipients`, {address: (code, reply)}, for the outbox to
record per recipient; when every recipient is refused smtplib raises SMTPRecipientsRefused,
as before.
"""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail.backends import smtp
from django.core.mail.message import sanitize_address


class EmailBackend(smtp.EmailBackend):
    def _send(self, email_message) -> bool:
        # Django's _send (5.2), keeping sendmail()'s return value.
        if not email_message.recipients():
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        from_email = sanitize_address(email_message.from_email, encoding)
        recipients = [sanitize_address(addr, encoding) for addr in email_message.recipients()]
        message = email_message.message()
        try:
            email_message.refused_recipients = self.connection.sendmail(
                from_email, recipients, message.as_bytes(linesep="\r\n")
            )
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True
