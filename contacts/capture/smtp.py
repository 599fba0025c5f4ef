"""The inbound SMTP server for self-hosting (`manage.py capture_smtpd`), on aiosmtpd.

Nothing is lost because nothing is acknowledged early: a message gets its `250` only once
`capture_ingest` has committed it (or decided to drop it), and any error in between answers
`451`, so the sending server keeps the message and tries again, as SMTP servers do for days.
The sender's queue is the queue, and no raw message is ever written to disk here; a second
delivery of the same message (a retry after a lost `250`) logs nothing twice.

What is answered, and why (no backscatter: this server never sends a bounce, so a forged sender
never receives one):

- RCPT at another domain: `550 5.7.1`, in the session: this is not a relay.
- RCPT at the capture domain: `250` for any local part, valid token or not, and the message is
  dropped after DATA if no address has that token. A `550` would tell anyone probing which
  addresses exist; a student who rotated their address reads the new one on the page.
- Over a rate limit (per address, per envelope sender): `450 4.7.1` at RCPT; the sender's
  server tries again later, so a burst is slowed, not lost.
- Over CAPTURE_MAX_BYTES: `552` (aiosmtpd's SIZE check at MAIL and during DATA).
- After DATA: `250` for everything accepted or dropped (an unknown sender, an unreadable
  message), `451` when the work queue is full or the database failed.

The work (parsing, the database) runs in a bounded thread pool beside the event loop, so slow
queries never stall other sessions; above `max_pending` messages in flight, DATA answers `451`.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import threading
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import close_old_connections

from contacts.capture.limits import rate_allows
from contacts.capture.models import DropReason
from contacts.capture.services import capture_ingest, drop_count, token_from_recipient

logger = logging.getLogger(__name__)

MAX_RECIPIENTS = 20


def _in_thread(function, *args, **kwargs):
    """Run Django work in a pool thread with a usable database connection (a dropped one is
    replaced, one past CONN_MAX_AGE closed), as a request would."""
    close_old_connections()
    try:
        return function(*args, **kwargs)
    finally:
        close_old_connections()


class CaptureHandler:
    """aiosmtpd's handler: checks each recipient, then hands the message to capture_ingest."""

    def __init__(self, *, workers: int = 4, max_pending: int = 64) -> None:
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="capture")
        self.max_pending = max_pending
        self.pending = 0
        self.idle = threading.Event()
        self.idle.set()

    async def _run(self, function, *args, **kwargs):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self.executor, lambda: _in_thread(function, *args, **kwargs)
        )

    async def count(self, reason: str) -> None:
        try:
            await self._run(drop_count, reason=reason)
        except Exception:
            logger.exception("capture: could not count a dropped message")

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options
    ) -> str:
        token = token_from_recipient(address)
        if token is None:
            await self.count(DropReason.RELAY)
            return "550 5.7.1 Relaying denied"
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        try:
            allowed = await self._run(rate_allows, token=token, sender=envelope.mail_from or "")
        except Exception:
            logger.exception("capture: rate limit check failed")
            allowed = True
        if not allowed:
            await self.count(DropReason.RATE)
            return "450 4.7.1 Too many messages for this address, try again later"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.pending >= self.max_pending:
            return "451 4.3.2 Busy, try again later"
        self.pending += 1
        self.idle.clear()
        try:
            await self._run(
                self.ingest_all,
                bytes(envelope.original_content or b""),
                envelope.mail_from or "",
                list(dict.fromkeys(r.lower() for r in envelope.rcpt_tos)),
            )
        except Exception:
            logger.exception("capture: message deferred after an error")
            return "451 4.3.0 Temporary failure, try again later"
        finally:
            self.pending -= 1
            if not self.pending:
                self.idle.set()
        return "250 2.0.0 OK"

    @staticmethod
    def ingest_all(raw: bytes, envelope_from: str, recipients: list[str]) -> None:
        for recipient in recipients:
            capture_ingest(raw=raw, envelope_from=envelope_from, envelope_to=recipient)

    def close(self, *, timeout: float = 30.0) -> bool:
        """Wait up to `timeout` seconds for the messages in flight; True when none is left."""
        finished = self.idle.wait(timeout)
        self.executor.shutdown(wait=finished)
        return finished


class CaptureSMTP(SMTP):
    """aiosmtpd's SMTP session, counting the messages its SIZE check refuses (552) and not
    advertising AUTH (aiosmtpd lists it after STARTTLS even with no mechanism left)."""

    async def push(self, status: str) -> None:
        if status.startswith("250-AUTH"):
            return
        if status.startswith("552") and isinstance(self.event_handler, CaptureHandler):
            await self.event_handler.count(DropReason.TOO_BIG)
        await super().push(status)


class CaptureController(Controller):
    """aiosmtpd's threaded controller serving CaptureSMTP; port 0 picks a free port (tests),
    read back from `port` once started. With `reuse_port`, several processes listen on the same
    port and the kernel spreads the connections between them (SO_REUSEPORT, Linux)."""

    def __init__(
        self,
        handler: CaptureHandler,
        *,
        hostname: str = "127.0.0.1",
        port: int = 2525,
        tls_context: ssl.SSLContext | None = None,
        server_name: str | None = None,
        timeout: float = 300,
        reuse_port: bool = False,
    ) -> None:
        self.reuse_port = reuse_port
        super().__init__(
            handler,
            hostname=hostname,
            port=port,
            server_hostname=server_name or settings.CAPTURE_DOMAIN or None,
            ident="Rapport capture",
            data_size_limit=settings.CAPTURE_MAX_BYTES,
            decode_data=False,
            enable_SMTPUTF8=True,
            tls_context=tls_context,
            timeout=timeout,
            # Nobody signs in to give mail: no AUTH offered, even over TLS.
            auth_exclude_mechanism=["LOGIN", "PLAIN"],
        )

    def factory(self) -> SMTP:
        return CaptureSMTP(self.handler, **self.SMTP_kwargs)

    def _create_server(self):
        return self.loop.create_server(
            self._factory_invoker,
            host=self.hostname,
            port=self.port,
            ssl=self.ssl_context,
            reuse_port=self.reuse_port or None,
        )

    def _trigger_server(self) -> None:
        if self.port == 0 and self.server is not None:
            self.port = self.server.sockets[0].getsockname()[1]
        if self.reuse_port:
            # aiosmtpd checks its factory by connecting, but the connection may reach another
            # process listening on the port: build one session here instead.
            self._factory_invoker()
            return
        super()._trigger_server()

    def stop_accepting(self) -> None:
        """Close the listening socket; sessions already open go on."""
        if self.server is not None:
            self.loop.call_soon_threadsafe(self.server.close)
