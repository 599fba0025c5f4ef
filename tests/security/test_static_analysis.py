"""Static checks of the repository: bandit finds nothing of high severity, and no secret is
committed (private keys, cloud keys, real-looking secret keys, .env files)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE = ["networking_app", "contacts", "mentoring", "events"]

SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP )?PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    "Django secret key": re.compile(r"SECRET_KEY\s*=\s*['\"](?!test-only)[^'\"]{20,}['\"]"),
    "password in a URL": re.compile(
        r"\b(?:postgres|postgresql|redis|smtp|amqp)://[^/\s:@]+:[^@\s/]{6,}@"
    ),
}
# Placeholders that documentation and examples show on purpose: the word "password", a
# variable's name, a shell substitution, and the fake password the redaction tests use.
ALLOWED = ("change-me", ":password@", "POSTGRES_PASSWORD", "$(", "hunter2")


def test_bandit_reports_no_high_severity_finding():
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-q", "-r", *CODE, "-x", "*/migrations/*", "-f", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(result.stdout)
    high = [
        f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}"
        for r in report["results"]
        if r["issue_severity"] == "HIGH"
    ]
    assert high == []
    assert report["errors"] == []


def _tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    return [ROOT / name.decode() for name in listed if name]


def test_no_secret_is_committed():
    files = _tracked_files()
    assert files, "git ls-files listed nothing"
    assert not [f for f in files if f.name == ".env"], ".env must not be committed"
    found = []
    for path in files:
        if not path.is_file() or path.suffix in {".png", ".ico", ".woff2", ".gz", ".zip"}:
            continue
        text = path.read_text(errors="ignore")
        for what, pattern in SECRET_PATTERNS.items():
            for match in pattern.finditer(text):
                if not any(marker in match.group(0) for marker in ALLOWED):
                    found.append(f"{path.relative_to(ROOT)}: {what}: {match.group(0)[:40]}")
    assert found == []


def test_the_secret_patterns_catch_what_they_should():
    key = "-----BEGIN " + "PRIVATE KEY-----"
    assert SECRET_PATTERNS["private key"].search(key)
    assert SECRET_PATTERNS["Django secret key"].search('SECRET_KEY = "' + "x9" * 20 + '"')
    assert SECRET_PATTERNS["password in a URL"].search("postgres://app:" + "s3cr3tpw" + "@db/x")
