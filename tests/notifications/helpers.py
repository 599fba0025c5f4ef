"""Real processes for the reliability tests and the reminders benchmark: an SMTP sink, Celery
worker processes, a private redis-server, and pointing the test process's Celery app at a
broker. No pytest here, so bench/ can use it too."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import time_machine

ROOT = Path(__file__).resolve().parent.parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
# The index of the shared Redis these tests use as a broker, flushed by them (and only them).
# Tasks the worker sends itself go to the default queue of its own configuration, so each test
# has a database rather than a queue of its own: 13, or 12 to 9 for pytest-xdist workers
# gw0 to gw3 (bench_reminders uses 8).
_XDIST = os.environ.get("PYTEST_XDIST_WORKER", "")
BROKER_DB = 12 - int(_XDIST[2:]) % 4 if _XDIST.startswith("gw") else 13
_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate: Callable[[], object], *, timeout: float, interval: float = 0.05):
    """Poll until `predicate()` is truthy; returns its last value (falsy on timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


# --- SMTP sink -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    at: float  # time.time() when the server accepted the message
    message_id: str
    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes

    def parsed(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.content, policy=email.policy.default)


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        if self.sink.delay:
            await asyncio.sleep(self.sink.delay)
        content = envelope.original_content or envelope.content
        found = _MESSAGE_ID.search(content.split(b"\r\n\r\n", 1)[0])
        self.sink.record(
            Received(
                at=time.time(),
                message_id=found.group(1).decode() if found else "",
                mail_from=envelope.mail_from,
                rcpt_tos=tuple(envelope.rcpt_tos),
                content=content,
            )
        )
        return "250 Message accepted for delivery"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.sink.rcpt_reply(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"


class SmtpSink:
    """A real SMTP server (aiosmtpd) on loopback, in a thread, that keeps every message.

    `delay` seconds are spent before each message is accepted: a slow mail server, so that a
    worker can be killed in the middle of a stream of messages.

    A server that says no: `refuse` maps an address to the replies its next RCPTs get, one each
    ("451 ..." or "550 ..."), then it is accepted; `password` makes AUTH required and answers
    any other password with 535; `greeting` (e.g. "554 ...") is sent instead of 220 to every
    connection, which is then closed.
    """

    def __init__(
        self,
        *,
        delay: float = 0.0,
        refuse: dict[str, list[str]] | None = None,
        password: str | None = None,
        greeting: str | None = None,
    ) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import SMTP, AuthResult

        self.delay = delay
        self.port = free_port()
        self._lock = threading.Lock()
        self._messages: list[Received] = []
        self._refuse = {address: list(replies) for address, replies in (refuse or {}).items()}
        self.rcpt_replies: list[tuple[str, str]] = []  # (address, reply) for every refusal
        self.connections = 0
        sink = self

        class Server(SMTP):
            async def _handle_client(self):
                with sink._lock:
                    sink.connections += 1
                if greeting is None:
                    return await super()._handle_client()
                await self.push(greeting)
                self.transport.close()

        class SinkController(Controller):
            def factory(self):
                return Server(self.handler, **self.SMTP_kwargs)

        def authenticator(server, session, envelope, mechanism, auth_data):
            right = getattr(auth_data, "password", b"") == password.encode()
            return AuthResult(success=right, handled=False)  # a refusal is answered with 535

        auth = {"authenticator": authenticator, "auth_require_tls": False} if password else {}
        self._controller = SinkController(
            _Handler(self), hostname="127.0.0.1", port=self.port, **auth
        )

    def rcpt_reply(self, address: str) -> str | None:
        with self._lock:
            replies = self._refuse.get(address)
            if not replies:
                return None
            reply = replies.pop(0)
            self.rcpt_replies.append((address, reply))
            return reply

    def __enter__(self) -> SmtpSink:
        # aiosmtpd logs every SMTP command at INFO: thousands of lines in a benchmark.
        self._log = logging.getLogger("mail.log")
        self._log_level = self._log.level
        self._log.setLevel(logging.WARNING)
        self._controller.start()
        with self._lock:
            self.connections = 0  # start() connects once to see that the server is up
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()
        self._log.setLevel(self._log_level)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def record(self, message: Received) -> None:
        with self._lock:
            self._messages.append(message)

    @property
    def messages(self) -> list[Received]:
        with self._lock:
            return list(self._messages)

    def count(self) -> int:
        with self._lock:
            return len(self._messages)

    def by_message_id(self) -> Counter:
        return Counter(message.message_id for message in self.messages)

    def wait_for(self, count: int, *, timeout: float) -> int:
        wait_until(lambda: self.count() >= count, timeout=timeout)
        return self.count()


# --- Celery -------------------------------------------------------------------------------


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the database Django is connected to (the test database in tests)."""
    user = settings_dict.get("USER") or "postgres"
    password = settings_dict.get("PASSWORD") or ""
    credentials = f"{user}:{password}" if password else user
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{settings_dict['NAME']}"


def broker_url(redis_url: str, db: int = BROKER_DB) -> str:
    """The same Redis server as `redis_url`, database `db`."""
    parts = urlsplit(redis_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", "", ""))


@contextlib.contextmanager
def celery_broker(broker_url: str) -> Iterator[None]:
    """Point the project's Celery app (what `outbox_send_batch.delay` uses) at a broker for the
    duration, then restore it. The app caches connection and producer pools, and kombu keeps
    them in a process-wide registry keyed by broker URL (a pool closed and left there refuses
    the next test): both are dropped, both ways."""
    from kombu import pools

    from networking_app.celery import app

    def reset_pools() -> None:
        with contextlib.suppress(Exception):
            pools.reset()  # closes every pool and empties the registry
        app._pool = None
        app.amqp._producer_pool = None

    saved = {key: app.conf[key] for key in ("broker_url", "broker_transport_options")}
    # Celery reads CELERY_BROKER_URL from the environment before its configuration (CI sets
    # it): point that at the test's broker too for the duration.
    saved_env = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = broker_url
    reset_pools()
    app.conf.broker_url = broker_url
    app.conf.broker_transport_options = {}
    try:
        yield
    finally:
        reset_pools()
        for key, value in saved.items():
            app.conf[key] = value
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env


def flush_broker(redis_url: str) -> None:
    """Empty the broker's Redis database (queues, unacknowledged tasks of killed workers)."""
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=2)
    try:
        client.flushdb()
    finally:
        client.close()


def worker_env(*, database_url: str, broker_url: str, email_url: str, var_dir: Path, **extra):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "OUTBOX_", "PYTEST_"))
        and key not in {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "SITE_URL", "VAR_DIR", "DEBUG"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="networking_app.settings.dev",
        DEBUG="false",
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=broker_url,
        EMAIL_URL=email_url,
        SITE_URL="http://testserver",
        VAR_DIR=str(var_dir),
        CONN_MAX_AGE="0",
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(ROOT),  # this checkout, whatever the venv's editable install points at
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after its ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants, read from /proc."""
    page = os.sysconf("SC_PAGE_SIZE")
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        with contextlib.suppress(OSError, ValueError, IndexError):
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * page
        pending.extend(_children(current))
    return total


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the process that started it dies, so a test
    run that is itself killed leaves no worker behind (Linux)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class CeleryWorker:
    """`celery -A networking_app worker` as a real process in its own session, so the worker
    and its pool children can be killed together."""

    def __init__(
        self,
        *,
        env: dict,
        log_path: Path,
        pool: str = "solo",
        concurrency: int | None = None,
    ) -> None:
        self.env = env
        self.log_path = log_path
        self.pool = pool
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None

    def start(self) -> CeleryWorker:
        command = [
            str(VENV_BIN / "celery"),
            "-A",
            "networking_app",
            "worker",
            f"--pool={self.pool}",
            "-n",
            f"{uuid.uuid4().hex[:8]}@%h",
            "-l",
            "INFO",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ]
        if self.concurrency:
            command.append(f"--concurrency={self.concurrency}")
        env = dict(self.env)
        if time_machine.escape_hatch.is_travelling():
            # The test's clock is moved (TEST_CLOCK): the worker's moves as far, from now on.
            env["TEST_CLOCK_SHIFT"] = str(time.time() - time_machine.escape_hatch.time.time())
            command = [sys.executable, str(ROOT / "tests" / "moved_clock.py"), *command]
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def log(self) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")[self._log_offset :]
        return ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def wait_ready(self, timeout: float = 30) -> None:
        ready = wait_until(
            lambda: " ready." in self.log() or self.process.poll() is not None,
            timeout=timeout,
            interval=0.1,
        )
        if not ready or self.process.poll() is not None:
            raise RuntimeError(f"The Celery worker did not start:\n{self.log_tail()}")

    def rss_bytes(self) -> int:
        return tree_rss_bytes(self.pid)

    def _signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signum)

    def kill(self) -> None:
        """SIGKILL the worker and its pool children: no clean-up, no acknowledgements."""
        if self.process is None:
            return
        self._signal_group(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 10) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self._signal_group(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=timeout)
        # Pool children may outlive a parent that exited.
        self._signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)


# --- A private Redis ------------------------------------------------------------------------


class RedisServer:
    """Our own redis-server on a free port, which a test may stop and start again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10) -> RedisServer:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        if not wait_until(self.is_up, timeout=timeout, interval=0.05):
            self.stop()
            raise RuntimeError(f"redis-server did not start on port {self.port}")
        return self

    def is_up(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


# --- Data -----------------------------------------------------------------------------------


def bulk_due_thank_yous(
    *, students: int, per_student: int, due_at, prefix: str = "rel"
) -> list[int]:
    """`students` students with `per_student` conversations each, held a day before `due_at`,
    and the thank-you reminders `contacts.reminders.sync_conversation` would have scheduled,
    all written with bulk inserts. Returns the reminder ids."""
    import datetime as dt

    from django.db import transaction

    from contacts.models import Contact, Conversation, ConversationStatus
    from networking_app.accounts.models import Profile, Role, User
    from networking_app.notifications.models import NotificationSettings, Reminder

    held_at = due_at - dt.timedelta(hours=24)
    tag = uuid.uuid4().hex[:6]
    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(email=f"{prefix}-{tag}-{n}@example.edu", role=Role.STUDENT, password="!")
                for n in range(students)
            ]
        )
        Profile.objects.bulk_create(
            [Profile(user=user, display_name=f"Student {n}") for n, user in enumerate(users)]
        )
        NotificationSettings.objects.bulk_create([NotificationSettings(user=u) for u in users])
        contacts = Contact.objects.bulk_create(
            [
                Contact(owner=user, name=f"Contact {n} of {user.pk}")
                for user in users
                for n in range(per_student)
            ]
        )
        conversations = Conversation.objects.bulk_create(
            [
                Conversation(
                    owner_id=contact.owner_id,
                    contact=contact,
                    goal="how people get started",
                    status=ConversationStatus.HELD,
                    scheduled_at=held_at,
                    held_at=held_at,
                )
                for contact in contacts
            ]
        )
        reminders = Reminder.objects.bulk_create(
            [
                Reminder(
                    user_id=conversation.owner_id,
                    kind="thank_you",
                    subject_key=f"conversation:{conversation.pk}",
                    due_at=due_at,
                )
                for conversation in conversations
            ]
        )
    return [reminder.pk for reminder in reminders]
