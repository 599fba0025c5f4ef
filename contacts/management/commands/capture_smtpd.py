"""`manage.py capture_smtpd`: the inbound SMTP server of email capture (contacts/capture/smtp.py),
for a school that receives the capture domain's mail itself (docs/operations.md, "Email
capture"). Stops on SIGTERM or SIGINT after the messages in flight are answered.

`--processes N` forks N servers sharing the port (SO_REUSEPORT): one process parses and logs
on one core at a time (Python's GIL), so a second core needs a second process."""

from __future__ import annotations

import logging
import os
import signal
import ssl
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from contacts.capture.smtp import CaptureController, CaptureHandler


class Command(BaseCommand):
    help = "Receive email for the capture addresses (CAPTURE_DOMAIN) over SMTP."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=2525, help="Port to listen on.")
        parser.add_argument(
            "--processes",
            type=int,
            default=1,
            help="Server processes sharing the port (Linux); one per core.",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=4,
            help="Threads per process parsing and logging messages (each waits on the database).",
        )
        parser.add_argument(
            "--max-pending",
            type=int,
            default=64,
            help="Messages in flight before DATA answers 451 (try again later).",
        )
        parser.add_argument("--tls-cert", help="Certificate (PEM) to offer STARTTLS with.")
        parser.add_argument("--tls-key", help="Its private key (PEM).")

    def handle(
        self, *args, host, port, processes, workers, max_pending, tls_cert, tls_key, **options
    ):
        if not settings.CAPTURE_DOMAIN:
            raise CommandError("CAPTURE_DOMAIN is not set: email capture is off.")
        if options["verbosity"] < 3:
            # aiosmtpd logs every command at INFO, capture addresses (secrets) and senders
            # included: only its warnings, unless asked for (-v 3).
            logging.getLogger("mail.log").setLevel(logging.WARNING)
        if processes < 1 or workers < 1:
            raise CommandError("--processes and --workers take 1 or more.")
        tls_context = None
        if tls_cert or tls_key:
            if not (tls_cert and tls_key):
                raise CommandError("--tls-cert and --tls-key go together.")
            tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls_context.load_cert_chain(tls_cert, tls_key)
        serve = {
            "host": host,
            "port": port,
            "workers": workers,
            "max_pending": max_pending,
            "tls_context": tls_context,
            "reuse_port": processes > 1,
        }
        children = []
        if processes > 1:
            connections.close_all()  # each process opens its own
            for _ in range(processes - 1):
                pid = os.fork()
                if pid == 0:
                    try:
                        self._serve(**serve, announce=False)
                    finally:
                        os._exit(0)
                children.append(pid)
        try:
            self._serve(**serve, announce=True, children=children)
        finally:
            for pid in children:
                os.waitpid(pid, 0)

    def _serve(
        self,
        *,
        host,
        port,
        workers,
        max_pending,
        tls_context,
        reuse_port,
        announce,
        children=(),
    ):
        handler = CaptureHandler(workers=workers, max_pending=max_pending)
        controller = CaptureController(
            handler, hostname=host, port=port, tls_context=tls_context, reuse_port=reuse_port
        )
        stop = threading.Event()

        def on_signal(signum, frame):
            stop.set()
            for pid in children:  # the parent passes it on to the other servers
                os.kill(pid, signum)

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, on_signal)
        controller.start()
        if announce:
            self.stdout.write(
                f"Receiving mail for *@{settings.CAPTURE_DOMAIN} on {host}:{controller.port}"
                f"{' (STARTTLS)' if tls_context else ''}, {len(children) + 1} process(es) of "
                f"{workers} threads; up to {settings.CAPTURE_MAX_BYTES} bytes a message."
            )
        stop.wait()
        controller.stop_accepting()
        finished = handler.close(timeout=30)
        controller.stop()
        if not finished:
            self.stderr.write("Stopped with messages in flight: their senders will try again.")
