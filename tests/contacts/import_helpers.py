"""What the import-commit tests share: the sample files of tests/data, the header of
Rapport's own CSV export, a preview of a sample file, and a LinkedIn export built from rows."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from contacts.imports import import_preview
from contacts.imports.models import ImportBatch

DATA = Path(__file__).resolve().parent.parent / "data"
RAPPORT_HEADER = (
    "Name,Email,Phone,Organization,Title,Industry,LinkedIn URL,Relationship,How we met,Tags,Notes"
)


def preview(owner, name: str) -> ImportBatch:
    return import_preview(owner=owner, filename=name, data=(DATA / name).read_bytes())


def linkedin_csv(rows: list[tuple]) -> bytes:
    out = io.StringIO()
    out.write('Notes:\n"Some emails are missing."\n\n')
    writer = csv.writer(out)
    writer.writerow(
        ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]
    )
    writer.writerows(rows)
    return b"\xef\xbb\xbf" + out.getvalue().encode()
