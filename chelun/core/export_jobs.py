"""Background Excel exports (后台导出): a list too large for one request (a province's 630,000 people) is written
by a huey task in chunks, with its progress on the page and a download link that expires.

`core` knows no domain app: an app registers an `ExportKind` (its headers, how to find the requester's scope, and
its rows for a filter within a captured scope). The job row keeps who asked, the filters and the scope they had at
that moment; the rows are read within that scope, and only the requester, still holding that scope, may download.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from huey.contrib.djhuey import db_task
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from chelun.core.errors import ApplicationError, Conflict, NotFound
from chelun.core.exports import MAX_EXPORT_ROWS
from chelun.core.models import ExportJob, ExportJobStatus

logger = logging.getLogger(__name__)

EXPORT_TTL = dt.timedelta(hours=24)  # how long a finished file can be downloaded
PROGRESS_EVERY = 5_000  # rows between progress writes: a few dozen small UPDATEs for a province
MAX_ACTIVE_JOBS = 3  # pending or running per requester, so one person cannot queue the workers full

ScopePaths = list[str] | None  # organisation paths; None means everywhere


class TooManyExports(ApplicationError):
    status_code = 429


class ExportExpired(ApplicationError):
    status_code = 410


@dataclass(frozen=True)
class ExportKind:
    """What an app exports in the background. `scope(actor)` gives the paths the actor may export now;
    `count(filters, scope)` and `rows(filters, scope)` read the rows for the stored filters within a captured scope
    (rows may be a generator: it is consumed once, in order)."""

    name: str
    label: str  # Chinese, also the file's base name
    headers: Sequence[str]
    scope: Callable[[Any], ScopePaths]
    count: Callable[[dict[str, Any], ScopePaths], int]
    rows: Callable[[dict[str, Any], ScopePaths], Iterable[Sequence[Any]]]


_KINDS: dict[str, ExportKind] = {}


def export_kind_register(kind: ExportKind) -> None:
    """Called from the owning app's ready(); registering the same name again replaces it (autoreload)."""
    _KINDS[kind.name] = kind


def export_kind(name: str) -> ExportKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise ApplicationError(f"未知的导出内容：{name}", "unknown_export_kind") from None


def scope_covers(current: ScopePaths, captured: ScopePaths) -> bool:
    """Whether the scope an actor has now still holds everything in the scope captured for a job."""
    if current is None:
        return True
    if captured is None:
        return False
    return all(any(path.startswith(mine) for mine in current) for path in captured)


def export_job_start(*, actor: Any, kind: str, filters: dict[str, Any], filter_label: str = "") -> ExportJob:
    """Queue an export of `kind` for `actor`, capturing their scope now. The task starts once this transaction
    commits. Raises ApplicationError (429) when the actor already has MAX_ACTIVE_JOBS jobs waiting or running."""
    export = export_kind(kind)
    active = ExportJob.objects.filter(
        requested_by=actor, status__in=(ExportJobStatus.PENDING, ExportJobStatus.RUNNING)
    ).count()
    if active >= MAX_ACTIVE_JOBS:
        raise TooManyExports(f"已有 {active} 个导出任务正在进行，请等待完成后再发起", "too_many_exports")
    job = ExportJob.objects.create(
        kind=export.name,
        requested_by=actor,
        filters=filters,
        filter_label=filter_label[:255],
        scope_paths=export.scope(actor),
    )
    transaction.on_commit(lambda: run_export_job(job.pk))
    return job


@db_task()
def run_export_job(job_id: int) -> None:
    """The huey task that writes one job's file (queued by export_job_start once its row is committed). It lives
    beside the service that queues it, so the service need not import the tasks module that imports it."""
    export_job_run(job_id)


def _header_cells(sheet: Any, headers: Sequence[str]) -> list[WriteOnlyCell]:
    bold = Font(bold=True)
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        cells.append(cell)
    return cells


def export_job_run(job_id: int) -> ExportJob | None:
    """Write the job's file: openpyxl write-only mode into a temporary file (rows go to disk as they come, so a
    province's rows never sit in memory), progress saved every PROGRESS_EVERY rows. A job not pending (run twice,
    or purged) is left alone. Any error marks the job failed with a message; it never raises."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJobStatus.PENDING).update(status=ExportJobStatus.RUNNING)
    if not claimed:
        return None
    job = ExportJob.objects.get(pk=job_id)
    try:
        export = export_kind(job.kind)
        total = min(export.count(job.filters, job.scope_paths), MAX_EXPORT_ROWS)
        ExportJob.objects.filter(pk=job.pk).update(total_rows=total)
        with tempfile.TemporaryDirectory(prefix="chelun-export-") as folder:
            path = Path(folder) / "export.xlsx"
            written = _write_workbook(job, export, path)
            finished = timezone.now()
            job.rows_written = written
            job.total_rows = max(total, written)
            job.status = ExportJobStatus.DONE
            job.finished_at = finished
            job.expires_at = finished + EXPORT_TTL
            with path.open("rb") as handle:
                job.file.save(f"{export.label}-{timezone.localdate():%Y%m%d}.xlsx", File(handle), save=False)
            job.save(update_fields=["rows_written", "total_rows", "status", "finished_at", "expires_at", "file"])
    except Exception as exc:
        logger.exception("export job %s failed", job_id)
        message = exc.message if isinstance(exc, ApplicationError) else "导出失败，请稍后重试"
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJobStatus.FAILED, error=message[:255], finished_at=timezone.now()
        )
    job.refresh_from_db()
    return job


def _write_workbook(job: ExportJob, export: ExportKind, path: Path) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=export.label[:31])
    sheet.append(_header_cells(sheet, export.headers))
    written = 0
    for row in export.rows(job.filters, job.scope_paths):
        if written >= MAX_EXPORT_ROWS:
            break
        sheet.append(list(row))
        written += 1
        if written % PROGRESS_EVERY == 0:
            ExportJob.objects.filter(pk=job.pk).update(rows_written=written)
    workbook.save(path)
    return written


def access_export_job(*, actor: Any, job_id: int) -> ExportJob:
    """The job, for its requester while they still hold the scope it was captured with; anyone else (and a
    requester whose roles no longer cover it) gets NotFound, as for a job that does not exist."""
    job = ExportJob.objects.filter(pk=job_id, requested_by_id=getattr(actor, "pk", None)).first()
    if job is None or job.kind not in _KINDS:
        raise NotFound("导出任务不存在")
    if not scope_covers(export_kind(job.kind).scope(actor), job.scope_paths):
        raise NotFound("导出任务不存在")
    return job


def export_job_download(*, actor: Any, job_id: int, now: dt.datetime | None = None) -> ExportJob:
    """The job whose file may be downloaded now. NotFound as access_export_job; ApplicationError (410) once the link
    has expired, (409) while the file is not written yet."""
    job = access_export_job(actor=actor, job_id=job_id)
    now = now or timezone.now()
    if job.status == ExportJobStatus.EXPIRED or (job.expires_at is not None and job.expires_at <= now):
        raise ExportExpired("下载链接已过期，请重新导出", "export_expired")
    if job.status != ExportJobStatus.DONE or not job.file:
        raise Conflict("文件尚未生成", "export_not_ready")
    return job


def export_jobs_recent(*, actor: Any, kind: str, limit: int = 5) -> list[ExportJob]:
    """The actor's latest jobs of one kind (their own only, and only those their scope still covers, as
    access_export_job), newest first."""
    if kind not in _KINDS:
        return []
    jobs = ExportJob.objects.filter(requested_by_id=getattr(actor, "pk", None), kind=kind)
    current = export_kind(kind).scope(actor)
    return [job for job in jobs.order_by("-created_at", "-id")[:limit] if scope_covers(current, job.scope_paths)]


def export_jobs_purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete the files of jobs past their expiry and mark them expired (the row stays, as a record of who exported
    what). Idempotent; returns how many jobs it expired."""
    now = now or timezone.now()
    expired = 0
    for job in ExportJob.objects.filter(status=ExportJobStatus.DONE, expires_at__lte=now):
        if job.file:
            job.file.storage.delete(job.file.name)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJobStatus.EXPIRED, file="")
        expired += 1
    return expired
