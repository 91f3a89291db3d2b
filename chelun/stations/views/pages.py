"""What the 暖心之家 page modules share: a station that is out of reach is a 404 whatever the reason, and the one
way a form posted from a card of a larger page is answered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from chelun.core.errors import Forbidden, NotFound
from chelun.core.views import HtmxHttpRequest
from chelun.stations.models import Station


def station_or_404(loader: Callable[[], Station]) -> Station:
    """Run an access_station_*_by_id call. Missing, out of scope, or visible without the right asked for: all the
    same 404, so the operate and funding pages never tell which stations exist."""
    try:
        return loader()
    except (NotFound, Forbidden) as exc:
        raise Http404(exc.message) from exc


def answer_card_post(
    request: HtmxHttpRequest,
    *,
    status: int,
    notice: str,
    card: str,
    card_context: Callable[[], dict[str, Any]],
    done_url: str,
    page: str,
    page_context: Callable[[], dict[str, Any]],
) -> HttpResponse:
    """A form posted from one card of a page. HTMX: the card again, with its notice or its errors. A plain post
    that went through: back to `done_url` with the notice as a message; one that did not: the whole page with the
    form's errors and the refusal's status. The contexts are built only for the answer that needs them."""
    if request.htmx:
        return render(request, card, card_context(), status=status)
    if status < 400:
        messages.success(request, notice)
        return redirect(done_url)
    return render(request, page, page_context(), status=status)
