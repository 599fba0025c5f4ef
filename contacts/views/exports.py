"""Export pages: the student's contacts as CSV or vCard, streamed."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from contacts.exports.contacts import (
    CHUNK_SIZE,
    contacts_for_export,
    csv_lines,
    vcard_chunks,
)
from networking_app.accounts.decorators import network_required


def _download(chunks, *, content_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in chunks), content_type=content_type
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _stem() -> str:
    return f"contacts-{timezone.localdate():%Y-%m-%d}"


@network_required
def export_page(request):
    count = contacts_for_export(user=request.user).count()
    return render(request, "contacts/export.html", {"contact_count": count})


@network_required
def export_csv(request):
    contacts = contacts_for_export(user=request.user).iterator(chunk_size=CHUNK_SIZE)
    return _download(
        csv_lines(contacts), content_type="text/csv; charset=utf-8", filename=f"{_stem()}.csv"
    )


@network_required
def export_vcard(request):
    contacts = contacts_for_export(user=request.user).iterator(chunk_size=CHUNK_SIZE)
    return _download(
        vcard_chunks(contacts),
        content_type="text/vcard; charset=utf-8",
        filename=f"{_stem()}.vcf",
    )
