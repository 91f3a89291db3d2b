"""People pages: the logged-in person's own record (我的信息), the scoped list (masked, paged without COUNT(*),
exportable), one person with audited reveal of the clear ID number / phone, and registering a person. Reads via
members.selectors, writes via members.services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from chelun.core.errors import ApplicationError, NotFound
from chelun.core.export_jobs import export_job_start
from chelun.core.exports import queryset_rows, xlsx_response
from chelun.core.forms import submit
from chelun.core.views import (
    HtmxHttpRequest,
    console_view,
    export_too_large,
    get_or_404,
    may_act_somewhere,
    no_count_page,
    redirect_after_post,
    render_page,
    wants_partial,
    wants_xlsx,
)
from chelun.members import exports, services
from chelun.members.access import access_person_by_id
from chelun.members.choices import ProfileType, SensitiveField
from chelun.members.forms import PersonCreateForm, PersonFilterForm, RevealForm, SecretaryForm
from chelun.members.models import Person
from chelun.members.selectors import (
    PersonFilter,
    organization_secretary,
    person_list_with_profiles,
    person_profile_types,
)
from chelun.orgs.access import access_organization_by_id, can
from chelun.orgs.models import Organization

PAGE_SIZE = 50
EXPORT_HEADERS = exports.EXPORT_HEADERS


def _organization_or_404(request: HtmxHttpRequest, pk: int | None) -> Organization | None:
    if not pk:
        return None
    return get_or_404(lambda: access_organization_by_id(actor=request.user, organization_id=pk))


def _export_row(person: Person) -> tuple[Any, ...]:
    types = person_profile_types(person)
    return (
        person.name,
        person.get_gender_display(),
        person.id_number_masked,
        person.phone_masked,
        person.org.name,
        person.region.name,
        "、".join(ProfileType(t).label for t in types),
        person.party_profile.get_status_display() if ProfileType.PARTY_MEMBER in types else "",
    )


def _person_filter(request: HtmxHttpRequest, form: PersonFilterForm) -> PersonFilter | None:
    """The list's filters from a valid form (an organisation out of scope is a 404); None for an invalid form."""
    if not form.is_valid():
        return None
    return PersonFilter(
        q=(form.cleaned_data.get("q") or "").strip(),
        region=form.cleaned_data.get("region"),
        organization=_organization_or_404(request, form.cleaned_data.get("org")),
        profile_type=form.cleaned_data.get("profile_type") or "",
        party_status=form.cleaned_data.get("party_status") or "",
    )


@console_view
@require_GET
def person_list(request: HtmxHttpRequest) -> HttpResponse:
    """人员: filters (name, region, organisation, profile type, party status); masked values only."""
    form = PersonFilterForm(request.GET)
    filters = _person_filter(request, form)
    organization = filters.organization if filters else None
    people: QuerySet[Person]
    if filters is not None:
        people = person_list_with_profiles(actor=request.user, filters=filters)
    else:
        people = Person.objects.none()
    if wants_xlsx(request):
        refused = export_too_large(request, people.count(), "人员")
        return refused or xlsx_response("人员", EXPORT_HEADERS, queryset_rows(people, _export_row), sheet="人员")
    page = no_count_page(people, request, PAGE_SIZE)
    if not wants_partial(request):
        form.fields["region"].load_choices()  # type: ignore[attr-defined]
    context = {
        "form": form,
        "page": page,
        "organization": organization,
        "can_add_person": may_act_somewhere(request.user, "person.change"),
        "export_kind": exports.KIND,
    }
    return render_page(request, "members/list.html", "members/partials/_people_results.html", context)


@console_view
@require_POST
def person_export_start(request: HtmxHttpRequest) -> HttpResponse:
    """后台导出: the list's filters (from the query string, as the list has them) as a background job; back to the
    list, where the job shows its progress and then its download link."""
    form = PersonFilterForm(request.GET)
    filters = _person_filter(request, form)
    query = request.GET.copy()
    for name in ("page", "export"):
        query.pop(name, None)
    back = f"{reverse('members:list')}?{query.urlencode()}" if query else reverse("members:list")
    if filters is None:
        messages.error(request, "筛选条件有误，未发起导出")
        return redirect_after_post(request, back)
    stored, label = exports.person_export_filters(filters)
    try:
        export_job_start(actor=request.user, kind=exports.KIND, filters=stored, filter_label=label)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已发起后台导出，完成后可在本页下载")
    return redirect_after_post(request, back)


def _detail_context(request: HtmxHttpRequest, person: Person, revealed: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "person": person,
        "can_reveal": can(request.user, "person.reveal", person.org),
        "revealed": revealed or {},
        "sensitive_fields": SensitiveField,
    }


@console_view
@require_GET
def detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    person = get_or_404(lambda: access_person_by_id(actor=request.user, person_id=pk))
    return render(request, "members/detail.html", _detail_context(request, person))


@console_view
@require_POST
def reveal(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Show one clear value. The service checks scope and writes the audit entry; out of scope is a 404."""
    form = RevealForm(request.POST)
    if not form.is_valid():
        return _reveal_error(request, pk, "未知字段", 400)
    field = form.cleaned_data["field"]
    try:
        value = services.person_reveal(
            actor=request.user, person_id=pk, field=field, remote_addr=request.META.get("REMOTE_ADDR")
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ApplicationError as exc:
        return _reveal_error(request, pk, exc.message, exc.status_code, field)
    if request.htmx:
        return render(request, "members/partials/_pii_value.html", {"field": field, "value": value, "error": ""})
    person = get_or_404(lambda: access_person_by_id(actor=request.user, person_id=pk))
    return render(request, "members/detail.html", _detail_context(request, person, {field: value}))


def _reveal_error(request: HtmxHttpRequest, pk: int, message: str, status: int, field: str = "") -> HttpResponse:
    if request.htmx:
        context = {"field": field, "value": "", "error": message}
        return render(request, "members/partials/_pii_value.html", context, status=status)
    person = get_or_404(lambda: access_person_by_id(actor=request.user, person_id=pk))
    context = _detail_context(request, person)
    context["reveal_error"] = message
    return render(request, "members/detail.html", context, status=status)


@console_view
@require_http_methods(["GET", "POST"])
def person_create(request: HtmxHttpRequest) -> HttpResponse:
    """登记人员. Field errors from the service (bad ID number, duplicate phone ...) show on their fields."""
    try:
        within_id = int(request.GET.get("org") or 0)
    except ValueError:
        within_id = 0
    within = _organization_or_404(request, within_id)
    status = 200
    if request.method == "POST":
        form = PersonCreateForm(request.POST, actor=request.user, within=within)

        def create() -> Person:
            data = form.cleaned_data
            return services.person_create(
                actor=request.user,
                name=data["name"],
                id_number=data["id_number"],
                phone=data.get("phone") or "",
                org=data["org"],
                region=data["region"],
            )

        submitted = submit(form, create)
        if submitted.ok:
            person = submitted.result
            messages.success(request, f"已登记人员“{person.name}”")
            return redirect_after_post(request, reverse("members:detail", args=[person.pk]))
        status = submitted.status
    else:
        initial = {"org": within.pk, "region": within.region_id} if within else {}
        form = PersonCreateForm(actor=request.user, within=within, initial=initial)
    context = {"form": form, "within": within}
    return render_page(request, "members/create.html", "members/partials/_create_form.html", context, status=status)


@console_view
@require_safe
def me(request: HtmxHttpRequest) -> HttpResponse:
    """我的信息: the logged-in person's own record, masked."""
    person = None
    person_id = getattr(request.user, "person_id", None)
    if person_id:
        try:
            person = access_person_by_id(actor=request.user, person_id=person_id)
        except NotFound:
            person = None
    return render(request, "members/me.html", {"person": person})


@console_view
@require_http_methods(["GET", "POST"])
def secretary_edit(request: HtmxHttpRequest, org_pk: int) -> HttpResponse:
    """设置书记: the organisation's admins (org.change) choose its secretary; the organisation page shows it.
    Out of scope: 404. Visible without org.change: the page says so, a post is refused with 403."""
    org = get_or_404(lambda: access_organization_by_id(actor=request.user, organization_id=org_pk))
    can_change = can(request.user, "org.change", org)
    status = 200
    if request.method == "POST":
        form = SecretaryForm(request.POST, actor=request.user, organization=org)
        submitted = submit(
            form,
            lambda: services.organization_secretary_set(
                actor=request.user, organization=org, person=form.cleaned_data["secretary"]
            ),
        )
        if submitted.ok:
            messages.success(request, "书记已保存")
            return redirect_after_post(request, reverse("orgs:detail", args=[org.pk]))
        status = submitted.status
    else:
        form = SecretaryForm(actor=request.user, organization=org)
    context = {
        "org": org,
        "form": form,
        "can_change": can_change,
        "secretary": organization_secretary(organization=org),
    }
    return render_page(
        request, "members/secretary.html", "members/partials/_secretary_form.html", context, status=status
    )
