"""The site administrator's screening page: start a run on an export, browse the candidates."""

from __future__ import annotations

import csv
import logging
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from cluneal.core.screening import TIERS
from cluneal.screening.export import ScreenError, discover, scan
from cluneal.web.accounts.access import admin_sites, site_admin
from cluneal.web.audit.log import record
from cluneal.web.audit.models import Action
from cluneal.web.core.errors import bad_request
from cluneal.web.core.middleware import NUL_MESSAGE, has_nul
from cluneal.web.screening.models import ScreeningRun, Status
from cluneal.web.screening.retention import purge
from cluneal.web.screening.storage import allowed_export, result_path, upload_dir
from cluneal.web.screening.uploads import ExportUpload

log = logging.getLogger(__name__)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class RunForm(forms.Form):
    site = forms.ModelChoiceField(queryset=None)  # type: ignore[arg-type]
    files = MultipleFileField(
        widget=MultipleFileInput(attrs={"multiple": True}),
        required=False,
        label="Upload the export's NDJSON files (Patient.000.ndjson, Condition.000.ndjson, ...)",
    )
    export_dir = forms.CharField(
        required=False, max_length=500, label="or the export's directory on this server"
    )
    engine = forms.ChoiceField(choices=[("duckdb", "DuckDB (this machine)"), ("spark", "Spark")])
    as_of = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Screening date (default: the export's, else today)",
    )
    on_error = forms.ChoiceField(
        choices=[("fail", "Stop at bad input"), ("skip", "Skip bad lines")]
    )

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]


def _start(run: ScreeningRun) -> None:
    subprocess.Popen(
        [sys.executable, "-m", "django", "screening_run", str(run.pk)],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "cluneal.web.settings"},
    )


def _purge_old_files() -> None:
    """Each new run first deletes the files past their retention (``cluneal purge-screening``
    does the same on a schedule); a failure to delete does not stop the new run."""
    try:
        purge()
    except OSError:
        log.exception("screening retention: old files could not all be deleted")


@csrf_exempt  # checked below, once the upload handler is in place (Django's documented way)
@site_admin
def runs(request: HttpRequest) -> HttpResponse:
    """The runs, and a new run on an uploaded export or a directory under the allowed root.
    An upload is streamed into the run's folder with its size counted as the bytes arrive; the
    folder is kept only if the run starts."""
    run_id = uuid.uuid4()
    limit = settings.CLUNEAL_SCREENING_MAX_UPLOAD
    handler = ExportUpload(upload_dir(run_id, create=False), limit, request)
    if request.method == "POST":
        request.upload_handlers = [handler]
        if int(request.META.get("CONTENT_LENGTH") or 0) > limit + 1_000_000:
            return _listing(request, RunForm(sites=admin_sites(request.user)), 413, _too_big())
    try:
        response = _runs(request, run_id, handler)
    except BaseException:
        handler.discard()
        raise
    if response.status_code != 302:
        handler.discard()
    return response


def _too_big() -> str:
    limit = settings.CLUNEAL_SCREENING_MAX_UPLOAD
    return (
        f"The upload is larger than {limit:,} bytes (CLUNEAL_SCREENING_MAX_UPLOAD): "
        "it was stopped and nothing of it was kept."
    )


@csrf_protect
@require_http_methods(["GET", "POST"])
def _runs(request: HttpRequest, run_id: uuid.UUID, handler: ExportUpload) -> HttpResponse:
    sites = admin_sites(request.user)
    if request.method != "POST":
        return _listing(request, RunForm(sites=sites), 200)
    if has_nul(request.POST):
        return bad_request(request, NUL_MESSAGE)
    if handler.too_big:
        return _listing(request, RunForm(sites=sites), 413, _too_big())
    form = RunForm(request.POST, request.FILES, sites=sites)
    if not form.is_valid():
        return _listing(request, form, 400)
    data = form.cleaned_data
    export = None
    if handler.refused or handler.duplicates:
        form.add_error(
            "files",
            f"Not NDJSON export files: {', '.join(handler.refused)}"
            if handler.refused
            else f"The same file twice: {', '.join(handler.duplicates)}",
        )
    elif request.FILES.getlist("files"):
        export = _checked(handler.folder, data["on_error"], form)
    elif data["export_dir"]:
        export = allowed_export(data["export_dir"])
        if export is None:
            form.add_error("export_dir", "Not a directory under CLUNEAL_SCREENING_ROOT.")
    else:
        form.add_error("files", "Upload the files or name a directory.")
    if export is None or form.errors:
        return _listing(request, form, 400)
    _purge_old_files()
    run = ScreeningRun.objects.create(
        id=run_id,
        site=data["site"],
        created_by=request.user,
        export_dir=str(export),
        engine=data["engine"],
        as_of=data["as_of"],
        on_error=data["on_error"],
    )
    record(
        request,
        Action.CREATE,
        site=run.site,
        obj=run,
        changes={"screening": str(export), "engine": run.engine},
    )
    _start(run)
    return HttpResponseRedirect(f"/site/screening/{run.pk}")


def _checked(folder: Path, on_error: str, form: RunForm) -> Path | None:
    """The uploaded export, once each file has been read through (a file that cannot be read
    is named with its line; in skip mode it is left out by the run instead)."""
    try:
        scan(discover(folder), skip=on_error == "skip")
    except ScreenError as exc:
        form.add_error("files", [str(exc), *exc.details])
        return None
    return folder


def _listing(
    request: HttpRequest, form: RunForm, status: int, problem: str | None = None
) -> HttpResponse:
    sites = admin_sites(request.user)
    listed = ScreeningRun.objects.filter(site__in=sites).select_related("site")[:50]
    context = {
        "form": form,
        "runs": listed,
        "days": settings.CLUNEAL_SCREENING_RETENTION_DAYS,
        "problem": problem,
    }
    return render(request, "screening/runs.html", context, status=status)


@site_admin
@require_GET
def run_detail(request: HttpRequest, run_id: Any) -> HttpResponse:
    run = ScreeningRun.objects.filter(pk=run_id, site__in=admin_sites(request.user)).first()
    if run is None:
        raise Http404
    tier = request.GET.get("tier", "")
    rows: list[dict[str, str]] = []
    path = result_path(run)
    if run.status == Status.DONE and path.exists():
        with path.open(newline="", encoding="utf-8") as f:
            rows = [r for r in csv.DictReader(f) if not tier or r["tier"] == tier]
        record(request, Action.VIEW, site=run.site, obj=run, changes={"tier": tier})
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {
        "run": run,
        "page": page,
        "tier": tier,
        "tiers": TIERS,
        "running": run.status in (Status.QUEUED, Status.RUNNING),
        "days": settings.CLUNEAL_SCREENING_RETENTION_DAYS,
    }
    return render(request, "screening/run.html", context)
