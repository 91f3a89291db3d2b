"""Pages of background exports (core.export_jobs): one job's progress (the partial a list page polls with HTMX
while the job runs) and its file. Both answer only the requester within the scope captured for the job; anyone
else gets 404, as for a job that does not exist."""

from __future__ import annotations

from typing import cast
from urllib.parse import quote

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from chelun.core.errors import ApplicationError, NotFound
from chelun.core.export_jobs import access_export_job, export_job_download, export_jobs_recent
from chelun.core.exports import XLSX_CONTENT_TYPE
from chelun.core.views import HtmxHttpRequest, console_view


@console_view
@require_safe
def export_job_list(request: HtmxHttpRequest) -> HttpResponse:
    """我的后台导出 of one kind (`?kind=people`), newest first: the section a list page loads after itself. Only the
    requester's own jobs; an unknown kind lists nothing."""
    jobs = export_jobs_recent(actor=request.user, kind=request.GET.get("kind", ""))
    return render(request, "core/partials/_export_jobs.html", {"jobs": jobs})


@console_view
@require_safe
def export_job_status(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """导出进度: the job's row of the list page's export section (it polls itself while pending or running)."""
    try:
        job = access_export_job(actor=request.user, job_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "core/partials/_export_job.html", {"job": job})


@console_view
@require_safe
def export_job_file(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """下载导出文件, until the link expires (410 after, 409 before the file is written)."""
    try:
        job = export_job_download(actor=request.user, job_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ApplicationError as exc:
        return render(request, "core/export_unavailable.html", {"message": exc.message}, status=exc.status_code)
    filename = job.file.name.rsplit("/", 1)[-1].split("-", 1)[-1]
    response = FileResponse(job.file.open("rb"), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return cast(HttpResponse, response)  # streamed from storage: a province's file is tens of megabytes
