"""The site administrator's screening page: start a run on an export, browse the candidates."""

from __future__ import annotations

import csv
import logging
import subprocess
import sys
import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from cluneal.core.screening import TIERS
from cluneal.screening.export import FILE_NAME
from cluneal.web.accounts.access import admin_sites, site_admin
from cluneal.web.audit.log import record
from cluneal.web.audit.models import Action
from cluneal.web.screening.models import ScreeningRun, Status
from cluneal.web.screening.retention import purge
from cluneal.web.screening.storage import allowed_export, result_path, upload_dir

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


@site_admin
@require_http_methods(["GET", "POST"])
def runs(request: HttpRequest) -> HttpResponse:
    sites = admin_sites(request.user)
    form = RunForm(request.POST or None, request.FILES or None, sites=sites)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        run_id = uuid.uuid4()
        uploads = request.FILES.getlist("files")
        export = None
        if uploads:
            bad = [f.name for f in uploads if not FILE_NAME.match(f.name or "")]
            too_big = sum(f.size or 0 for f in uploads) > settings.CLUNEAL_SCREENING_MAX_UPLOAD
            if bad or too_big:
                form.add_error(
                    "files",
                    f"Not NDJSON export files: {', '.join(bad)}"
                    if bad
                    else "The upload is larger than CLUNEAL_SCREENING_MAX_UPLOAD.",
                )
            else:
                folder = upload_dir(run_id)
                for f in uploads:
                    with (folder / f.name).open("wb") as target:
                        for chunk in f.chunks():
                            target.write(chunk)
                export = folder
        elif data["export_dir"]:
            export = allowed_export(data["export_dir"])
            if export is None:
                form.add_error("export_dir", "Not a directory under CLUNEAL_SCREENING_ROOT.")
        else:
            form.add_error("files", "Upload the files or name a directory.")
        if export is not None and not form.errors:
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
        status = 400
    elif request.method == "POST":
        status = 400
    listed = ScreeningRun.objects.filter(site__in=sites).select_related("site")[:50]
    context = {"form": form, "runs": listed, "days": settings.CLUNEAL_SCREENING_RETENTION_DAYS}
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
