"""The people list as a background export (core.export_jobs): the job row, the file the task writes (huey runs
inline in tests, once the request's transaction commits), progress on the page, and who may download until when."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from chelun.core import export_jobs
from chelun.core.models import ExportJob, ExportJobStatus, Region
from chelun.members.choices import ProfileType
from chelun.members.tests.test_pages import EXPORT_HEADER, people, xlsx_rows  # noqa: F401 (fixture)
from chelun.orgs.models import RoleGrant
from chelun.orgs.tests.factories import make_user

pytestmark = pytest.mark.usefixtures("people")


def start(client, django_capture_on_commit_callbacks, **query):
    url = reverse("members:export_start")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""))
    return response


def file_rows(response):
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_background_export_writes_the_same_rows_as_the_page_export(client, tree, django_capture_on_commit_callbacks):
    client.force_login(tree.province_admin)

    response = start(client, django_capture_on_commit_callbacks, profile_type=ProfileType.DRIVER, page=3)

    assert response.status_code == 302
    assert response.url == f"{reverse('members:list')}?profile_type={ProfileType.DRIVER}"
    job = ExportJob.objects.get()
    assert (job.kind, job.requested_by, job.status) == ("people", tree.province_admin, ExportJobStatus.DONE)
    assert (job.filters, job.filter_label) == (
        {"q": "", "region": None, "org": None, "profile_type": "driver", "party_status": ""},
        "类型：货车司机",
    )
    assert job.scope_paths == [tree.province.path]
    assert (job.total_rows, job.rows_written, job.percent) == (2, 2, 100)
    assert job.expires_at == job.finished_at + export_jobs.EXPORT_TTL
    page_export = xlsx_rows(client.get(reverse("members:list"), {"profile_type": "driver", "export": "xlsx"}))
    downloaded = file_rows(client.get(reverse("core:export_download", args=[job.pk])))
    assert downloaded == page_export
    assert [row[0] for row in downloaded] == [EXPORT_HEADER[0], "武侯司机", "锦江司机"]
    listing = client.get(response.url)
    assert "已发起后台导出，完成后可在本页下载" in listing.text
    assert f'hx-get="{reverse("core:export_jobs")}?kind=people" hx-trigger="load"' in listing.text
    section = client.get(reverse("core:export_jobs"), {"kind": "people"}, HTTP_HX_REQUEST="true")
    assert reverse("core:export_download", args=[job.pk]) in section.text
    assert "下载（2 行）" in section.text
    assert "类型：货车司机" in section.text
    assert "hx-trigger" not in section.text  # done: no more polling


def test_the_export_is_read_within_the_scope_captured_for_the_job(client, tree, django_capture_on_commit_callbacks):
    client.force_login(tree.jinjiang_admin)

    start(client, django_capture_on_commit_callbacks)

    job = ExportJob.objects.get()
    assert job.scope_paths == [tree.jinjiang.path]
    assert [row[0] for row in file_rows(client.get(reverse("core:export_download", args=[job.pk])))] == [
        "姓名",
        "锦江司机",
    ]


def test_a_region_filter_is_stored_by_id_and_read_back(client, tree, django_capture_on_commit_callbacks):
    client.force_login(tree.province_admin)
    chengdu = Region.objects.get(code="510100")

    start(client, django_capture_on_commit_callbacks, region=chengdu.pk)

    job = ExportJob.objects.get()
    assert (job.filters["region"], job.filter_label) == (chengdu.pk, "常住地：成都市")
    rows = file_rows(client.get(reverse("core:export_download", args=[job.pk])))
    assert [row[0] for row in rows] == ["姓名", "武侯司机", "武侯党员", "锦江司机"]


def test_only_the_requester_within_their_scope_sees_or_downloads_the_job(
    client, tree, django_capture_on_commit_callbacks
):
    client.force_login(tree.wuhou_admin)
    start(client, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    status_url = reverse("core:export_job", args=[job.pk])
    download_url = reverse("core:export_download", args=[job.pk])
    assert client.get(status_url).status_code == 200

    for other in (tree.jinjiang_admin, tree.province_admin, make_user("wuhou-colleague", org=tree.wuhou)):
        client.force_login(other)
        assert (client.get(status_url).status_code, client.get(download_url).status_code) == (404, 404)
        assert client.get(reverse("core:export_jobs"), {"kind": "people"}).text.strip() == ""
    client.logout()
    assert client.get(download_url).status_code == 302  # to the login page

    # The requester who has since lost the role the scope came from: as if the job did not exist.
    RoleGrant.objects.filter(user=tree.wuhou_admin).delete()
    client.force_login(tree.wuhou_admin)
    assert (client.get(status_url).status_code, client.get(download_url).status_code) == (404, 404)
    assert client.get(reverse("core:export_jobs"), {"kind": "people"}).text.strip() == ""
    assert ExportJob.objects.get().status == ExportJobStatus.DONE  # nothing changed


def test_the_link_expires_and_the_purge_deletes_the_file(client, tree, django_capture_on_commit_callbacks):
    client.force_login(tree.wuhou_admin)
    start(client, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    storage, name = job.file.storage, job.file.name
    assert storage.exists(name)

    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired = client.get(reverse("core:export_download", args=[job.pk]))
    assert (expired.status_code, "下载链接已过期，请重新导出" in expired.text) == (410, True)

    assert export_jobs.export_jobs_purge_expired() == 1
    assert export_jobs.export_jobs_purge_expired() == 0  # idempotent
    job.refresh_from_db()
    assert (job.status, job.file.name, storage.exists(name)) == (ExportJobStatus.EXPIRED, "", False)
    assert client.get(reverse("core:export_download", args=[job.pk])).status_code == 410


def test_a_pending_job_polls_and_is_not_downloadable_yet(client, tree):
    client.force_login(tree.wuhou_admin)
    job = ExportJob.objects.create(kind="people", requested_by=tree.wuhou_admin, scope_paths=[tree.wuhou.path])
    ExportJob.objects.filter(pk=job.pk).update(total_rows=200, rows_written=50)

    status = client.get(reverse("core:export_job", args=[job.pk]), HTTP_HX_REQUEST="true")
    download = client.get(reverse("core:export_download", args=[job.pk]))

    assert f'hx-get="{reverse("core:export_job", args=[job.pk])}" hx-trigger="every 2s"' in status.text
    assert '<progress max="100" value="25"' in status.text
    assert "50 / 200 行" in status.text
    assert (download.status_code, "文件尚未生成" in download.text) == (409, True)


def test_a_job_runs_once_and_a_failure_is_recorded(tree, monkeypatch):
    job = ExportJob.objects.create(kind="people", requested_by=tree.wuhou_admin, scope_paths=[tree.wuhou.path])
    assert export_jobs.export_job_run(job.pk).status == ExportJobStatus.DONE
    assert export_jobs.export_job_run(job.pk) is None  # already done: left alone

    broken = ExportJob.objects.create(kind="people", requested_by=tree.wuhou_admin, scope_paths=[tree.wuhou.path])
    monkeypatch.setattr(export_jobs, "_write_workbook", lambda *args: 1 / 0)
    failed = export_jobs.export_job_run(broken.pk)
    assert (failed.status, failed.error, failed.file.name) == (ExportJobStatus.FAILED, "导出失败，请稍后重试", "")


def test_progress_is_saved_while_the_rows_are_written(tree, monkeypatch):
    monkeypatch.setattr(export_jobs, "PROGRESS_EVERY", 1)
    seen: list[int] = []
    original = ExportJob.objects.filter

    def spy(*args, **kwargs):
        qs = original(*args, **kwargs)
        real_update = qs.update

        def update(**values):
            if set(values) == {"rows_written"}:
                seen.append(values["rows_written"])
            return real_update(**values)

        qs.update = update  # type: ignore[method-assign]
        return qs

    job = ExportJob.objects.create(kind="people", requested_by=tree.province_admin, scope_paths=[tree.province.path])
    monkeypatch.setattr(ExportJob.objects, "filter", spy)
    export_jobs.export_job_run(job.pk)
    assert seen == [1, 2, 3, 4]


def test_a_requester_may_not_queue_more_than_a_few_jobs(client, tree):
    client.force_login(tree.wuhou_admin)
    for _ in range(export_jobs.MAX_ACTIVE_JOBS):
        ExportJob.objects.create(kind="people", requested_by=tree.wuhou_admin, scope_paths=[tree.wuhou.path])

    response = client.post(reverse("members:export_start"))

    assert response.status_code == 302
    assert ExportJob.objects.count() == export_jobs.MAX_ACTIVE_JOBS  # nothing queued
    assert "已有 3 个导出任务正在进行，请等待完成后再发起" in client.get(response.url).text


def test_an_out_of_scope_organisation_filter_is_a_404_and_queues_nothing(client, tree):
    client.force_login(tree.jinjiang_admin)

    response = client.post(f"{reverse('members:export_start')}?org={tree.wuhou.pk}")

    assert (response.status_code, ExportJob.objects.count()) == (404, 0)


def test_scope_covers():
    assert export_jobs.scope_covers(None, None) is True
    assert export_jobs.scope_covers(None, ["/1/"]) is True
    assert export_jobs.scope_covers(["/1/"], None) is False
    assert export_jobs.scope_covers(["/1/"], ["/1/2/", "/1/3/"]) is True
    assert export_jobs.scope_covers(["/1/2/"], ["/1/2/", "/1/3/"]) is False
    assert export_jobs.scope_covers([], []) is True


@pytest.mark.parametrize("method", ["get", "put"])
def test_starting_an_export_takes_post_only(client, tree, method):
    client.force_login(tree.wuhou_admin)
    assert getattr(client, method)(reverse("members:export_start")).status_code == 405


def test_every_column_matches_the_page_export_for_every_kind_of_person(
    client, tree, django_capture_on_commit_callbacks
):
    # A driver, a party member (status column), a person with no profile, and one with two profiles.
    from chelun.members.models import ShipperProfile
    from chelun.members.tests.factories import make_driver

    both = make_driver(org=tree.fucheng_branch, name="涪城司机兼货主", phone="13800000009")
    ShipperProfile.objects.create(person=both, company_name="涪城物流")
    client.force_login(tree.province_admin)

    start(client, django_capture_on_commit_callbacks)

    job = ExportJob.objects.get()
    downloaded = file_rows(client.get(reverse("core:export_download", args=[job.pk])))
    assert downloaded == xlsx_rows(client.get(reverse("members:list"), {"export": "xlsx"}))
    assert [row[6:] for row in downloaded[1:]] == [
        ["货车司机", None],
        ["党员", "正式党员"],
        ["货车司机", None],
        [None, None],
        ["货车司机、货主", None],
    ]
