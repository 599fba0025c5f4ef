"""Record staff actions in the audit log (networking_app.core.models.AuditLog)."""

from __future__ import annotations

from django.db import models

from networking_app.core.models import AuditLog


def audit_record(
    *,
    actor,
    action: str,
    summary: str,
    target: models.Model | None = None,
    **detail,
) -> AuditLog:
    """Log one staff action. `detail` must hold ids and counts only, never personal text."""
    return AuditLog.objects.create(
        actor=actor,
        action=action,
        summary=summary[:300],
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        detail=detail,
    )
