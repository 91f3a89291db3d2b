"""Tests for the one form -> service -> errors step (core.forms.submit) and the one export row generator
(core.exports.queryset_rows)."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django import forms

from chelun.core.errors import ApplicationError, Conflict, field_error
from chelun.core.exports import EXPORT_CHUNK_SIZE, queryset_rows
from chelun.core.forms import submit
from chelun.core.models import Region, RegionLevel


class NameForm(forms.Form):
    name = forms.CharField(max_length=8, error_messages={"required": "请填写名称"})


class Calls:
    """A service stand-in that records what it was called with."""

    def __init__(self, raises: ApplicationError | None = None) -> None:
        self.seen: list[str] = []
        self.raises = raises

    def __call__(self, form: NameForm) -> str:
        self.seen.append(form.cleaned_data["name"])
        if self.raises is not None:
            raise self.raises
        return f"saved {form.cleaned_data['name']}"


def test_a_form_that_does_not_clean_is_a_422_and_the_service_is_never_called() -> None:
    form = NameForm({"name": ""})
    service = Calls()

    submitted = submit(form, lambda: service(form))

    assert (submitted.ok, submitted.status) == (False, 422)
    assert service.seen == []
    assert form.errors == {"name": ["请填写名称"]}


def test_a_form_that_cleans_runs_the_service_and_answers_200_with_its_result() -> None:
    form = NameForm({"name": "金堂"})

    submitted = submit(form, lambda: Calls()(form))

    assert (submitted.ok, submitted.status, submitted.result) == (True, 200, "saved 金堂")
    assert form.errors == {}


def test_a_service_error_naming_a_field_goes_on_that_field_with_its_status() -> None:
    form = NameForm({"name": "金堂"})
    service = Calls(raises=field_error("name", "名称已被占用", "name_taken"))

    submitted = submit(form, lambda: service(form))

    assert (submitted.ok, submitted.status) == (False, 422)
    assert service.seen == ["金堂"]
    assert form.errors == {"name": ["名称已被占用"]}


def test_a_service_error_naming_no_field_goes_on_top_of_the_form() -> None:
    form = NameForm({"name": "金堂"})

    submitted = submit(form, lambda: Calls(raises=Conflict("已被他人修改，请刷新后重试", "stale_version"))(form))

    assert (submitted.ok, submitted.status) == (False, 409)
    assert form.non_field_errors() == ["已被他人修改，请刷新后重试"]
    assert list(form.errors) == ["__all__"]


def test_a_field_the_form_does_not_have_is_shown_on_top() -> None:
    form = NameForm({"name": "金堂"})

    submit(form, lambda: Calls(raises=field_error("prices", "价格必须是不小于 0 的整数（分）", "price_invalid"))(form))

    assert form.non_field_errors() == ["价格必须是不小于 0 的整数（分）"]


def test_a_refused_submission_has_no_result_to_read() -> None:
    form = NameForm({"name": ""})
    submitted = submit(form, lambda: "never")

    with pytest.raises(RuntimeError):
        submitted.result  # noqa: B018


def test_other_exceptions_are_not_swallowed() -> None:
    form = NameForm({"name": "金堂"})

    def broken() -> Any:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        submit(form, broken)


@pytest.mark.django_db
def test_queryset_rows_reads_in_chunks_lazily_and_maps_every_row() -> None:
    Region.objects.bulk_create(
        Region(code=f"99{n:04d}", name=f"测试县{n}", level=RegionLevel.COUNTY, lon=104.0, lat=30.0) for n in range(3)
    )
    chunks: list[int] = []

    class Recorded:
        def __init__(self, queryset: Any) -> None:
            self.queryset = queryset

        def iterator(self, *, chunk_size: int) -> Any:
            chunks.append(chunk_size)
            return self.queryset.iterator(chunk_size=chunk_size)

    regions = Recorded(Region.objects.filter(code__startswith="99").order_by("code"))
    rows = queryset_rows(cast(Any, regions), lambda r: (r.name,))

    assert chunks == []  # nothing is read until the sheet asks for rows
    assert list(rows) == [("测试县0",), ("测试县1",), ("测试县2",)]
    assert chunks == [EXPORT_CHUNK_SIZE]
