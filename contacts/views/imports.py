"""Import pages: upload, column mapping, preview with a choice per row, progress, undo."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts.forms.imports import (
    DECISION_CHOICES,
    ImportAllForm,
    ImportEncodingForm,
    ImportMappingForm,
    ImportUploadForm,
)
from contacts.imports import csvfiles, selectors, services
from contacts.imports.files import UNICODE, ImportFileError, encoding_label, read_text
from contacts.imports.models import BatchStatus, Decision, ImportBatch, ImportFormat, RowStatus
from networking_app.accounts.decorators import network_required

ROWS_PER_PAGE = 100


def _batch_url(batch: ImportBatch) -> str:
    return reverse("contacts:import_batch", kwargs={"batch_id": batch.pk})


@network_required
def import_start(request):
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
    else:
        form = ImportUploadForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = b"".join(upload.chunks())
        try:
            batch = services.import_start(owner=request.user, filename=upload.name, data=data)
        except ImportFileError as error:
            form.add_error("file", error.messages[0])
        else:
            if services.is_large(batch):
                services.import_queue_parse(batch=batch)
                return redirect(_batch_url(batch))
            try:
                services.import_parse_at_once(batch=batch)
            except ImportFileError as error:
                form.add_error("file", error.messages[0])
            else:
                return redirect(_batch_url(batch))
    context = {"form": form, "batches": selectors.batches_for_user(user=request.user)}
    return render(request, "contacts/import_start.html", context)


def _progress_context(batch: ImportBatch) -> dict:
    progress = services.progress_get(batch.pk) or {}
    total = progress.get("total") or 0
    done = progress.get("done") or 0
    return {
        "batch": batch,
        "progress_label": progress.get("label") or batch.get_status_display(),
        "progress_done": done,
        "progress_total": total,
        "progress_percent": round(100 * done / total) if total else None,
        "can_cancel": services.can_discard(batch),
    }


def _encoding_context(batch: ImportBatch) -> dict:
    """What the pages say about the file's encoding, and the form to change it."""
    return {
        "encoding_label": encoding_label(batch.encoding),
        "encoding_guessed": bool(batch.encoding) and batch.encoding not in UNICODE,
        "encoding_form": ImportEncodingForm(initial={"encoding": batch.encoding}),
    }


def _mapping_form(batch: ImportBatch, data=None) -> ImportMappingForm:
    samples: list[list[str]] = []
    try:
        text = read_text(batch.filename, bytes(batch.data or b""), batch.encoding or None)[1]
        table = csvfiles.read_table(batch.filename, text)
        samples = [cells for _line, cells in table.rows if cells][:3]
    except ImportFileError:
        pass
    return ImportMappingForm(
        data, headers=batch.headers, samples=samples, initial_map=batch.mapping or {}
    )


@network_required
def import_batch(request, batch_id: int):
    batch = selectors.batch_get_for_user(user=request.user, batch_id=batch_id)
    if batch.is_working:
        return render(request, "contacts/import_progress.html", _progress_context(batch))
    remap = batch.status == BatchStatus.PREVIEW and batch.format == ImportFormat.CSV
    if batch.status == BatchStatus.NEEDS_MAPPING or (remap and request.GET.get("columns")):
        form = _mapping_form(batch)
        context = {"batch": batch, "form": form, **_encoding_context(batch)}
        return render(request, "contacts/import_mapping.html", context)
    if batch.status == BatchStatus.PREVIEW:
        return _preview_page(request, batch)
    return render(request, "contacts/import_done.html", {"batch": batch})


def _preview_page(request, batch: ImportBatch):
    show = request.GET.get("show", "")
    show = show if show in selectors.SHOW_VALUES else ""
    page = Paginator(selectors.preview_rows(batch=batch, show=show), ROWS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    earlier = selectors.rows_by_index(
        batch=batch, indexes=[r.match_row for r in rows if r.match_row and not r.match_contact_id]
    )
    for row in rows:
        row.choices = _row_choices(row)
        row.current = services.effective_decision(
            status=row.status,
            decision=row.decision,
            default=batch.default_decision,
            has_match=bool(row.match_contact_id or row.match_row),
        )
        row.possible = row.status == RowStatus.NEW and bool(row.match_contact_id or row.match_row)
        plan = selectors.row_merge_plan(row=row, earlier=earlier)
        row.changes = plan.changes if plan is not None else None
    context = {
        "batch": batch,
        "page": page,
        "rows": rows,
        "show": show,
        "show_choices": selectors.SHOW_CHOICES,
        "counts": selectors.decision_counts(batch=batch),
        "large": services.commits_in_background(batch),
        "next": request.get_full_path(),
        **_encoding_context(batch),
    }
    return render(request, "contacts/import_preview.html", context)


def _row_choices(row) -> list[tuple[str, str]]:
    if row.status != RowStatus.INVALID and (row.match_contact_id or row.match_row):
        return DECISION_CHOICES
    return [(Decision.CREATE, _("Add")), (Decision.SKIP, _("Skip"))]


@network_required
def import_progress(request, batch_id: int):
    """The progress bar, polled by htmx while a task reads or imports the file."""
    batch = selectors.batch_get_for_user(user=request.user, batch_id=batch_id)
    response = render(request, "contacts/_import_progress.html", _progress_context(batch))
    if not batch.is_working and request.htmx:
        response["HX-Redirect"] = _batch_url(batch)
    return response


@require_POST
@network_required
def import_mapping(request, batch_id: int):
    batch = selectors.batch_get_for_user(user=request.user, batch_id=batch_id, with_file=True)
    form = _mapping_form(batch, request.POST)
    if form.is_valid():
        try:
            services.import_set_mapping(batch=batch, mapping=form.mapping())
        except ImportFileError as error:
            messages.error(request, error.messages[0])
        return redirect(_batch_url(batch))
    return render(request, "contacts/import_mapping.html", {"batch": batch, "form": form})


@require_POST
@network_required
def import_encoding(request, batch_id: int):
    """Read the kept file again in the encoding the student chose."""
    batch = selectors.batch_get_for_user(user=request.user, batch_id=batch_id, with_file=True)
    form = ImportEncodingForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["encoding"][0])
        return redirect(_batch_url(batch))
    try:
        batch = services.import_set_encoding(batch=batch, encoding=form.cleaned_data["encoding"])
    except ImportFileError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("The file is read again as %(encoding)s; check the names below.")
            % {"encoding": encoding_label(batch.encoding)},
        )
    return redirect(_batch_url(batch))


def _back(request, batch: ImportBatch) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return _batch_url(batch)


@require_POST
@network_required
def import_decisions(request, batch_id: int):
    """Save choices: one row (htmx, on change), the rows of one page, or all rows of a kind."""
    batch = selectors.batch_get_for_user(user=request.user, batch_id=batch_id)
    decisions = {}
    for key, value in request.POST.items():
        if key.startswith("decision-") and key[9:].isdigit() and value in Decision.values:
            decisions[int(key[9:])] = value
    all_form = ImportAllForm(request.POST) if "all" in request.POST else None
    try:
        if all_form is not None and all_form.is_valid():
            services.import_set_decisions(
                batch=batch,
                status=all_form.cleaned_data["status"],
                all=all_form.cleaned_data["all"],
            )
        else:
            services.import_set_decisions(batch=batch, decisions=decisions)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(_batch_url(batch))
    if request.htmx:
        counts = selectors.decision_counts(batch=batch)
        return render(request, "contacts/_import_summary.html", {"batch": batch, "counts": counts})
    if all_form is not None:
        messages.success(request, _("Your choice is applied to those rows."))
    else:
        messages.success(request, _("Your choices on this page are saved."))
    return redirect(_back(request, batch))


@require_POST
@network_required
def import_commit(request, batch_id: int):
    batch = selectors.batch_get_for_user(user=request.user, batch_id=batch_id)
    try:
        if services.commits_in_background(batch):
            services.import_queue_commit(batch=batch, default=batch.default_decision)
            return redirect(_batch_url(batch))
        batch = services.import_commit(batch=batch, default=batch.default_decision)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(_batch_url(batch))
    messages.success(
        request,
        _("Imported: %(added)s added, %(merged)s merged, %(skipped)s skipped.")
        % {
            "added": batch.created_count,
            "merged": batch.merged_count,
            "skipped": batch.skipped_count,
        },
    )
    return redirect(_batch_url(batch))


@network_required
def import_undo(request, batch_id: int):
    batch = selectors.batch_get_for_user(user=request.user, batch_id=batch_id)
    if request.method == "POST":
        try:
            services.import_undo(batch=batch)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request, _("The import of %(filename)s is undone.") % {"filename": batch.filename}
            )
        return redirect(_batch_url(batch))
    context = {"batch": batch, **selectors.undo_summary(batch=batch)}
    return render(request, "contacts/import_undo.html", context)


@require_POST
@network_required
def import_discard(request, batch_id: int):
    batch = selectors.batch_get_for_user(user=request.user, batch_id=batch_id)
    try:
        services.import_discard(batch=batch)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(_batch_url(batch))
    messages.success(
        request,
        _("The import of %(filename)s is cancelled; nothing was added.")
        % {"filename": batch.filename},
    )
    return redirect("contacts:import")
