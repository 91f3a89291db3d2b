"""The driver's pages (phone first): submit in under a minute, my appeals and their steps, confirm and rate or
reopen. A driver sees only their own: someone else's id is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chelun.appeals import knowledge, selectors, services, workflow
from chelun.appeals.access import access_own_appeal_by_id
from chelun.appeals.choices import Party
from chelun.appeals.forms import RatingForm, ReasonForm, SubmitForm
from chelun.appeals.views.wording import deadline_text, history_rows
from chelun.core.forms import submit
from chelun.core.views import HtmxHttpRequest, console_view, get_or_404, is_driver, redirect_after_post, render_page


@console_view
@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    """/appeals/: drivers land on their own list, staff on the queue."""
    if is_driver(request.user):
        return redirect("appeals:mine")
    return redirect("appeals:queue")


@console_view
@require_GET
def mine(request: HtmxHttpRequest) -> HttpResponse:
    appeals = list(selectors.appeal_driver_list(actor=request.user)[:100])
    return render_page(request, "appeals/mine.html", "appeals/mine.html", {"appeals": appeals})


@console_view
@require_http_methods(["GET", "POST"])
def new(request: HtmxHttpRequest) -> HttpResponse:
    """提交诉求: category, what happened, where (the phone's position, or a region), photos, the station."""
    status = 200
    if request.method == "POST":
        form = SubmitForm(request.POST, request.FILES)

        def action() -> object:
            data = form.cleaned_data
            return services.appeal_submit(
                actor=request.user,
                category=data["category"],
                description=data["description"],
                region=data.get("region"),
                lon=data.get("lon"),
                lat=data.get("lat"),
                place_text=data.get("place_text") or "",
                station_id=data.get("station"),
                contact=data["contact"],
                photos=data.get("photos") or [],
            )

        result = submit(form, action)
        if result.ok:
            appeal = result.result
            return redirect_after_post(request, reverse("appeals:my_detail", args=[appeal.pk]))  # type: ignore[attr-defined]
        status = result.status
    else:
        form = SubmitForm(initial={"category": request.GET.get("category")})
    form.load_choices()
    # Each category with the knowledge-base entries linked to it: the driver sees the answer before submitting.
    hints = {str(c.pk): c for c in selectors.categories().prefetch_related("articles")}
    context = {"form": form, "hints": hints}
    return render_page(request, "appeals/new.html", "appeals/partials/_new_form.html", context, status=status)


def _my_context(request: HtmxHttpRequest, appeal_id: int) -> dict[str, object]:
    appeal = get_or_404(lambda: access_own_appeal_by_id(actor=request.user, appeal_id=appeal_id))
    events = selectors.appeal_history(appeal=appeal, for_driver=True)
    return {
        "appeal": appeal,
        "history": history_rows(events, confidential=appeal.category.confidential),
        "deadline": deadline_text(appeal),
        "actions": workflow.actions_for(appeal.status, Party.DRIVER),
        "rating_form": RatingForm(),
        "reopen_form": ReasonForm(),
    }


@console_view
@require_GET
def my_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    context = _my_context(request, pk)
    return render_page(request, "appeals/my_detail.html", "appeals/my_detail.html", context)


@console_view
@require_POST
def my_confirm(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    context = _my_context(request, pk)
    form = RatingForm(request.POST)
    result = submit(
        form,
        lambda: services.appeal_confirm(
            actor=request.user, appeal_id=pk, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
        ),
    )
    if result.ok:
        return redirect_after_post(request, reverse("appeals:my_detail", args=[pk]))
    context["rating_form"] = form
    return render_page(request, "appeals/my_detail.html", "appeals/my_detail.html", context, status=result.status)


@console_view
@require_POST
def my_reopen(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    context = _my_context(request, pk)
    form = ReasonForm(request.POST)
    result = submit(
        form, lambda: services.appeal_reopen(actor=request.user, appeal_id=pk, reason=form.cleaned_data["reason"])
    )
    if result.ok:
        return redirect_after_post(request, reverse("appeals:my_detail", args=[pk]))
    context["reopen_form"] = form
    return render_page(request, "appeals/my_detail.html", "appeals/my_detail.html", context, status=result.status)


@console_view
@require_GET
def help_search(request: HtmxHttpRequest) -> HttpResponse:
    """政策与问答: the knowledge base, searched by words (jieba), or all entries when no query."""
    query = (request.GET.get("q") or "").strip()[:100]
    articles = knowledge.article_search(query) if query else list(knowledge.Article.objects.filter(active=True))
    context = {"query": query, "articles": articles}
    return render_page(request, "appeals/help.html", "appeals/partials/_help_results.html", context)


@console_view
@require_http_methods(["GET", "POST"])
def help_article(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One entry; "这解决了我的问题" counts it as having met the need and goes back to the driver's list."""
    article = get_or_404(lambda: knowledge.article_by_id(pk))
    if request.method == "POST":
        knowledge.article_helped(article_id=pk, actor=request.user)
        messages.success(request, "感谢反馈，很高兴问题已经解决")
        return redirect_after_post(request, reverse("appeals:mine"))
    categories = list(article.categories.filter(active=True))
    return render_page(
        request, "appeals/article.html", "appeals/article.html", {"article": article, "categories": categories}
    )
