"""Organisation pages: the tree browser, one organisation, the organisation list and the rules (制度).
Thin: every read goes through orgs.selectors (scoped to the user), every write through orgs.services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from chelun.core.exports import queryset_rows, xlsx_response
from chelun.core.forms import submit
from chelun.core.views import (
    HtmxHttpRequest,
    console_view,
    counted_page,
    get_or_404,
    may_act_somewhere,
    redirect_after_post,
    render_page,
    wants_partial,
    wants_xlsx,
)
from chelun.orgs import services
from chelun.orgs.access import access_organization_by_id, can
from chelun.orgs.choices import OrgKind
from chelun.orgs.forms import (
    OrganizationEditForm,
    OrganizationFilterForm,
    OrganizationMoveForm,
    RuleCreateForm,
    RuleFilterForm,
)
from chelun.orgs.models import Organization, Rule
from chelun.orgs.selectors import (
    OrganizationFilter,
    organization_ancestors,
    organization_breadcrumbs,
    organization_children,
    organization_list,
    organization_roots,
    rule_list,
    subtree_figures,
)

PAGE_SIZE = 50
SEARCH_LIMIT = 50
DETAIL_RULES = 20


def _organization(request: HtmxHttpRequest, pk: int) -> Organization:
    return get_or_404(lambda: access_organization_by_id(actor=request.user, organization_id=pk))


def _optional_organization(request: HtmxHttpRequest, pk: int | None) -> Organization | None:
    """An organisation named in a filter: None when absent, 404 when missing or out of scope."""
    return _organization(request, pk) if pk else None


# --------------------------------------------------------------------------------------------------------------
# Tree
# --------------------------------------------------------------------------------------------------------------


@console_view
@require_GET
def tree(request: HtmxHttpRequest) -> HttpResponse:
    """组织体系: the roots the user may see, expandable node by node, and a search by name."""
    q = request.GET.get("q", "").strip()[:64]
    results: list[tuple[Organization, list[Organization]]] = []
    if q:
        found = list(organization_list(actor=request.user, filters=OrganizationFilter(q=q))[:SEARCH_LIMIT])
        crumbs = organization_breadcrumbs(actor=request.user, organizations=found)
        results = [(org, crumbs[org.pk]) for org in found]
    context = {
        "roots": organization_roots(actor=request.user),
        "q": q,
        "results": results,
        "search_limit": SEARCH_LIMIT,
    }
    return render_page(request, "orgs/tree.html", "orgs/partials/_search_results.html", context)


@console_view
@require_GET
def children(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The children of one node (HTMX expands the tree with it; without HTMX it is a page of its own)."""
    org = _organization(request, pk)
    context = {"org": org, "children": organization_children(actor=request.user, organization=org)}
    return render_page(request, "orgs/children.html", "orgs/partials/_children.html", context)


# --------------------------------------------------------------------------------------------------------------
# One organisation
# --------------------------------------------------------------------------------------------------------------


def _detail_context(request: HtmxHttpRequest, org: Organization) -> dict[str, Any]:
    actor = request.user
    rules = list(rule_list(actor=actor, within=org)[: DETAIL_RULES + 1])
    return {
        "org": org,
        "ancestors": organization_ancestors(actor=actor, organization=org),
        "figures": subtree_figures(actor=actor, organization=org),
        "children": organization_children(actor=actor, organization=org),
        "rules": rules[:DETAIL_RULES],
        "more_rules": len(rules) > DETAIL_RULES,
        "is_industry_committee": org.kind == OrgKind.INDUSTRY_COMMITTEE,
        "is_temporary": org.kind == OrgKind.TEMPORARY_BRANCH,
        "can_change": can(actor, "org.change", org),
        "can_move": org.parent_id is not None and can(actor, "org.change", org),
        "can_add_rule": can(actor, "rule.change", org),
        "can_add_person": can(actor, "person.change", org),
    }


@console_view
@require_GET
def detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    org = _organization(request, pk)
    return render(request, "orgs/detail.html", _detail_context(request, org))


@console_view
@require_http_methods(["GET", "POST"])
def edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Edit an organisation's own fields (admins of its subtree). A stale `version` is refused, nothing saved."""
    org = _organization(request, pk)
    status = 200
    if request.method == "POST":
        form = OrganizationEditForm(request.POST, actor=request.user, organization=org)
        submitted = submit(
            form,
            lambda: services.organization_update(
                actor=request.user, organization=org, expected_version=form.cleaned_data["version"], **form.changes()
            ),
        )
        if submitted.ok:
            messages.success(request, "组织信息已保存")
            return redirect_after_post(request, reverse("orgs:detail", args=[org.pk]))
        status = submitted.status
    else:
        form = OrganizationEditForm(actor=request.user, organization=org)
    context = {"org": org, "form": form, "can_change": can(request.user, "org.change", org)}
    return render_page(request, "orgs/edit.html", "orgs/partials/_edit_form.html", context, status=status)


@console_view
@require_http_methods(["GET", "POST"])
def move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Move an organisation with its subtree under another one (admins of both places)."""
    org = _organization(request, pk)
    status = 200
    if request.method == "POST":
        form = OrganizationMoveForm(request.POST, actor=request.user, organization=org)
        submitted = submit(
            form,
            lambda: services.organization_move(
                actor=request.user,
                organization=org,
                new_parent=form.cleaned_data["new_parent"],
                expected_version=form.cleaned_data["version"],
            ),
        )
        if submitted.ok:
            messages.success(request, f"已将“{org.name}”移至“{form.cleaned_data['new_parent'].name}”之下")
            return redirect_after_post(request, reverse("orgs:detail", args=[org.pk]))
        status = submitted.status
    else:
        form = OrganizationMoveForm(actor=request.user, organization=org)
    context = {
        "org": org,
        "form": form,
        "ancestors": organization_ancestors(actor=request.user, organization=org),
    }
    return render_page(request, "orgs/move.html", "orgs/partials/_move_form.html", context, status=status)


# --------------------------------------------------------------------------------------------------------------
# Organisation list
# --------------------------------------------------------------------------------------------------------------

ORG_EXPORT_HEADERS = ("名称", "类型", "所在单位类别", "上级组织", "所在地区", "成立日期", "状态")


def _org_row(org: Organization) -> tuple[Any, ...]:
    return (
        org.name,
        org.get_kind_display(),
        org.get_sector_display(),
        org.parent.name if org.parent else "",
        org.region.name,
        org.founded_on,
        org.get_status_display(),
    )


@console_view
@require_GET
def org_list(request: HtmxHttpRequest) -> HttpResponse:
    """组织列表 with filters (name, kind, region, status), paged, exportable."""
    form = OrganizationFilterForm(request.GET)
    if form.is_valid():
        orgs = organization_list(actor=request.user, filters=form.to_filter())
    else:
        orgs = Organization.objects.none()
    if wants_xlsx(request):
        return xlsx_response("党组织", ORG_EXPORT_HEADERS, queryset_rows(orgs, _org_row), sheet="党组织")
    page = counted_page(orgs, request, PAGE_SIZE)
    if not wants_partial(request):
        form.fields["region"].load_choices()  # type: ignore[attr-defined]
    context = {"form": form, "page": page}
    return render_page(request, "orgs/list.html", "orgs/partials/_org_results.html", context)


# --------------------------------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------------------------------

RULE_EXPORT_HEADERS = ("标题", "文号", "类别", "状态", "生效日期", "制定组织")


def _rule_row(rule: Rule) -> tuple[Any, ...]:
    return (
        rule.title,
        rule.number,
        rule.get_category_display(),
        rule.get_status_display(),
        rule.effective_on,
        rule.organization.name,
    )


@console_view
@require_GET
def rules(request: HtmxHttpRequest) -> HttpResponse:
    """制度: filters (title/number, category, status, within an organisation), count, paging, export."""
    form = RuleFilterForm(request.GET)
    within = None
    if form.is_valid():
        within = _optional_organization(request, form.cleaned_data.get("org"))
        qs = rule_list(
            actor=request.user,
            within=within,
            q=(form.cleaned_data.get("q") or "").strip(),
            category=form.cleaned_data.get("category") or "",
            status=form.cleaned_data.get("status") or "",
        )
    else:
        qs = Rule.objects.none()
    if wants_xlsx(request):
        return xlsx_response("制度", RULE_EXPORT_HEADERS, queryset_rows(qs, _rule_row), sheet="制度")
    page = counted_page(qs, request, PAGE_SIZE)
    context = {
        "form": form,
        "page": page,
        "within": within,
        "can_add_rule": may_act_somewhere(request.user, "rule.change"),
    }
    return render_page(request, "orgs/rules.html", "orgs/partials/_rule_results.html", context)


@console_view
@require_http_methods(["GET", "POST"])
def rule_create(request: HtmxHttpRequest) -> HttpResponse:
    """新增制度. Opened from an organisation (`?org=`), the form offers that subtree."""
    try:
        within_id = int(request.GET.get("org") or 0)
    except ValueError:
        within_id = 0
    within = _optional_organization(request, within_id)
    status = 200
    if request.method == "POST":
        form = RuleCreateForm(request.POST, request.FILES, actor=request.user, within=within)
        submitted = submit(
            form,
            lambda: services.rule_create(
                actor=request.user, organization=form.cleaned_data["organization"], **form.rule_fields()
            ),
        )
        if submitted.ok:
            messages.success(request, "制度已创建")
            organization = form.cleaned_data["organization"]
            return redirect_after_post(request, f"{reverse('orgs:rules')}?org={organization.pk}")
        status = submitted.status
    else:
        form = RuleCreateForm(
            actor=request.user, within=within, initial={"organization": within.pk if within else None}
        )
    context = {"form": form, "within": within}
    return render_page(request, "orgs/rule_create.html", "orgs/partials/_rule_form.html", context, status=status)
