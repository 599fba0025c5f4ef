"""Importing contacts from LinkedIn, Google, Outlook, Rapport's own export, any CSV and vCard.

The public API (used by the views, the Celery task and the export round-trip tests):

- ``import_preview(owner=, filename=, data=, mapping=None) -> ImportBatch``: read the file and
  store a preview; nothing becomes a contact. A file that cannot be imported raises
  ``ImportFileError`` (a ValidationError with a message for the student).
- ``import_commit(batch=, decisions=None, default="create") -> ImportBatch``: atomic.
- ``import_undo(batch=) -> ImportBatch``.

Loaded lazily: contacts.models imports this package's models while Django sets up.
"""

from __future__ import annotations

__all__ = [
    "ImportFileError",
    "import_commit",
    "import_discard",
    "import_parse",
    "import_preview",
    "import_set_decisions",
    "import_start",
    "import_undo",
]


def __getattr__(name: str):
    if name == "ImportFileError":
        from contacts.imports.files import ImportFileError

        return ImportFileError
    if name in __all__:
        from contacts.imports import services

        return getattr(services, name)
    raise AttributeError(name)
