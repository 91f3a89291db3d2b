"""经费保障: the province console's funding report (cost and the four sources per station, per city and in total)
and one station's monthly costs and subsidies, entered in 元 and kept in 分."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from chelun.core.exports import xlsx_attachment
from chelun.core.forms import submit
from chelun.core.money import yuan_text
from chelun.core.views import HtmxHttpRequest, console_view, may_act_somewhere, wants_xlsx
from chelun.orgs.access import can
from chelun.stations import selectors, services
from chelun.stations.access import access_station_funding_by_id
from chelun.stations.choices import CostCategory, FundingSource
from chelun.stations.forms.console import CostForm, FundingFilterForm, SubsidyForm, default_months
from chelun.stations.models import Station
from chelun.stations.selectors import FundingRow
from chelun.stations.views.exports import SOURCE_LABELS, funding_workbook
from chelun.stations.views.pages import answer_card_post, station_or_404


def _yuan(fen: int) -> str:
    # Report figures run to millions of 元: grouped in thousands so they can be read at a glance.
    return yuan_text(fen, thousands=True)


def _money_row(row: FundingRow) -> dict[str, Any]:
    return {
        "key": row.key,
        "name": row.name,
        "cost": _yuan(row.cost_fen),
        "sources": [(SOURCE_LABELS[s], _yuan(row.by_source[s])) for s in FundingSource.values],
        "subsidy": _yuan(row.subsidy_fen),
        "ratio": f"{row.ratio * 100:.1f}%" if row.ratio is not None else "—",
        "below": row.below_target,
        "sites": row.sites,
        "sides": row.sides,
    }


@console_view
@require_GET
def funding(request: HtmxHttpRequest) -> HttpResponse:
    """经费保障: cost and the four sources per station, per city and in total for a month range; a red flag where the
    subsidy is under 50 % of cost. Stations with no figures in the range are counted, not listed. ?export=xlsx gives
    a summary sheet and one sheet per source."""
    data = request.GET if "start" in request.GET or "end" in request.GET else default_months(timezone.localdate())
    form = FundingFilterForm(data)
    report = None
    status = 200
    if form.is_valid():
        start, end = form.months()
        report = selectors.funding_report_for_console(actor=request.user, start=start, end=end)
    else:
        status = 422
    if wants_xlsx(request) and report is not None:
        filename = f"暖心之家经费-{report.start:%Y%m}-{report.end:%Y%m}.xlsx"
        return xlsx_attachment(funding_workbook(report), filename)
    listed = [r for r in report.stations if not r.is_empty] if report else []
    station_url = reverse("stations:funding_station", args=[0])
    cities = [_money_row(r) for r in report.cities] if report else []
    context = {
        "form": form,
        "report": report,
        "can_enter": may_act_somewhere(request.user, "funding.change"),
        "source_labels": list(SOURCE_LABELS.values()),
        "total": _money_row(report.total) if report else None,
        "cities": cities,
        # Named above the table too: on a phone the flagged rows sit far down a long list of cards.
        "cities_below": [c["name"] for c in cities if c["below"]],
        "stations": [_money_row(r) for r in listed],
        # Still linked (a compact list under the table): the funding page is the way to a station's entry forms.
        # Thousands of them on a benchmark deployment: the link is reversed once, not once per station.
        "stations_without_figures": [
            (r.name, station_url.replace("/0/", f"/{r.key}/")) for r in report.stations if r.is_empty
        ]
        if report
        else [],
    }
    return render(request, "stations/funding.html", context, status=status)


COST_MONTHS_SHOWN = 12


def _funding_station(request: HtmxHttpRequest, pk: int, *, change: bool = False) -> Station:
    """A station in the user's funding scope; entering figures (change=True) needs funding.change. Anything else is
    a 404 here, as on the operate pages."""
    return station_or_404(lambda: access_station_funding_by_id(actor=request.user, station_id=pk, change=change))


def _month_of(request: HtmxHttpRequest) -> dt.date:
    """?month=2026-10, else this month (the first day)."""
    try:
        return dt.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


def _month_text(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def _cost_form(station: Station, month: dt.date) -> CostForm:
    amounts = selectors.station_month_costs(station=station, month=month)
    return CostForm(initial={"month": month}, amounts_fen=amounts)


def _costs_context(
    request: HtmxHttpRequest, station: Station, form: CostForm | None = None, notice: str = ""
) -> dict[str, Any]:
    can_change = can(request.user, "funding.change", station.organization)
    months = selectors.station_cost_months(station=station, months=COST_MONTHS_SHOWN)
    return {
        "station": station,
        "can_change": can_change,
        "cost_form": (form or _cost_form(station, _month_of(request))) if can_change else None,
        "cost_labels": [label for _code, label in CostCategory.choices],
        "cost_rows": [
            (
                m.month,
                [(label, _yuan(m.amounts_fen.get(code, 0))) for code, label in CostCategory.choices],
                _yuan(m.total_fen),
            )
            for m in months
        ],
        "cost_notice": notice,
    }


def _subsidies_context(
    request: HtmxHttpRequest, station: Station, form: SubsidyForm | None = None, notice: str = ""
) -> dict[str, Any]:
    can_change = can(request.user, "funding.change", station.organization)
    month = _month_of(request)
    return {
        "station": station,
        "can_change": can_change,
        "subsidy_form": (form or SubsidyForm(initial={"month": month})) if can_change else None,
        "subsidies": [
            (s.month, SOURCE_LABELS.get(s.source, s.source), _yuan(s.amount_fen))
            for s in selectors.station_subsidy_list(station=station)
        ],
        "subsidy_notice": notice,
    }


def _funding_station_context(request: HtmxHttpRequest, station: Station, **forms: Any) -> dict[str, Any]:
    return {
        **_costs_context(request, station, forms.get("cost_form")),
        **_subsidies_context(request, station, forms.get("subsidy_form")),
    }


@console_view
@require_GET
def funding_station(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """经费保障 · one station: its monthly costs by category and the subsidies recorded, with forms to enter them
    for users holding funding.change on its organisation (others in funding scope only read)."""
    station = _funding_station(request, pk)
    return render(request, "stations/funding_station.html", _funding_station_context(request, station))


@console_view
@require_POST
def funding_costs(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Enter one month's costs in 元 (converted exactly to 分); it replaces that month's figures."""
    station = _funding_station(request, pk, change=True)
    form = CostForm(request.POST)

    def save() -> dt.date:
        month = services.month_start(form.cleaned_data["month"])
        services.cost_report_set(actor=request.user, station=station, month=month, amounts_fen=form.amounts_fen())
        return month

    submitted = submit(form, save)
    month = submitted.result if submitted.ok else _month_of(request)
    notice = f"{_month_text(month)}运营成本已保存" if submitted.ok else ""
    shown = _cost_form(station, month) if submitted.ok else form
    return answer_card_post(
        request,
        status=submitted.status,
        notice=notice,
        card="stations/partials/_funding_costs.html",
        card_context=lambda: _costs_context(request, station, shown, notice),
        done_url=f"{reverse('stations:funding_station', args=[station.pk])}?month={month:%Y-%m}#costs",
        page="stations/funding_station.html",
        page_context=lambda: _funding_station_context(request, station, cost_form=shown),
    )


@console_view
@require_POST
def funding_subsidy(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Record a subsidy contribution. The form's idempotency key (made when it was rendered) makes a double submit
    record it once; the second answer says so."""
    station = _funding_station(request, pk, change=True)
    form = SubsidyForm(request.POST)
    submitted = submit(
        form,
        lambda: services.subsidy_record_once(
            actor=request.user,
            station=station,
            month=form.cleaned_data["month"],
            source=form.cleaned_data["source"],
            amount_fen=form.cleaned_data["amount"],
            idempotency_key=form.cleaned_data["idempotency_key"],
        ),
    )
    notice = ""
    shown = form
    if submitted.ok:
        contribution, created = submitted.result
        label = SOURCE_LABELS.get(contribution.source, contribution.source)
        recorded = f"{_month_text(contribution.month)} {label} {yuan_text(contribution.amount_fen)} 元"
        notice = f"已登记补贴：{recorded}" if created else f"这笔补贴已登记过（{recorded}），未重复记账"
        shown = SubsidyForm(initial={"month": contribution.month})
    return answer_card_post(
        request,
        status=submitted.status,
        notice=notice,
        card="stations/partials/_funding_subsidies.html",
        card_context=lambda: _subsidies_context(request, station, shown, notice),
        done_url=reverse("stations:funding_station", args=[station.pk]) + "#subsidies",
        page="stations/funding_station.html",
        page_context=lambda: _funding_station_context(request, station, subsidy_form=shown),
    )
