"""Access rules of the import pages (contacts/urls_import.py), for tests/test_access.py.

The upload page is every student's own; a batch, its preview, progress and undo pages are
the owner's only (another student, a volunteer or staff get a plain 404); actions are POST only
(their POST by another student is a 404: tests/contacts/test_import_views.py).
"""

from __future__ import annotations

from pathlib import Path

from tests.contacts.access_rows import LOGIN, POST_ONLY, PRIVATE

DATA = Path(__file__).resolve().parent.parent / "data"

ACCESS: dict[str, tuple] = {
    "contacts:import": (LOGIN, 200, 200, 404, 404),
    "contacts:import_batch": PRIVATE,
    "contacts:import_progress": PRIVATE,
    "contacts:import_undo": PRIVATE,
    "contacts:import_mapping": POST_ONLY,
    "contacts:import_encoding": POST_ONLY,
    "contacts:import_decisions": POST_ONLY,
    "contacts:import_commit": POST_ONLY,
    "contacts:import_discard": POST_ONLY,
}


def access_objects(student, volunteer, staff) -> dict:
    from contacts.imports import import_preview

    data = (DATA / "linkedin_connections.csv").read_bytes()
    batch = import_preview(owner=student, filename="Connections.csv", data=data)
    return {"batch_id": batch.pk}
