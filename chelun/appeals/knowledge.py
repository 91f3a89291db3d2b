"""The knowledge base (政策与问答): indexing an entry's words, searching them, and counting the needs an entry
met. Search is an inverted-index lookup of the query's jieba words (never LIKE): entries ranked by how many of
the query's words they hold, then by the summed weights."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, F, QuerySet, Sum

from chelun.appeals.models import Article, ArticleToken, Category
from chelun.appeals.segment import tokens as query_tokens
from chelun.appeals.segment import weighted_tokens
from chelun.core.errors import NotFound, field_error
from chelun.core.services import full_clean_or_raise


def article_index(article: Article) -> int:
    """(Re)build one entry's rows of the index; returns how many words it holds."""
    weights = weighted_tokens(article.title, article.body)
    ArticleToken.objects.filter(article=article).delete()
    ArticleToken.objects.bulk_create(
        [ArticleToken(token=token, article=article, weight=weight) for token, weight in weights.items()]
    )
    return len(weights)


@transaction.atomic
def article_save(
    *,
    title: str,
    body: str,
    source: str = "",
    categories: Iterable[Category] = (),
    position: int = 100,
    article: Article | None = None,
) -> Article:
    """Create or update an entry and re-index it in the same transaction (the index never lags the text)."""
    article = article or Article()
    article.title, article.body, article.source, article.position = title.strip(), body.strip(), source, position
    if not article.title:
        raise field_error("title", "标题不能为空", "title_required")
    full_clean_or_raise(article)
    article.save()
    article.categories.set(list(categories))
    article_index(article)
    return article


def article_search(query: str, *, limit: int = 20) -> list[Article]:
    words = sorted(set(query_tokens(query)))
    if not words:
        return []
    ranked = (
        ArticleToken.objects.filter(token__in=words, article__active=True)
        .values("article_id")
        .annotate(matched=Count("token"), score=Sum("weight"))
        .order_by("-matched", "-score", "article_id")[:limit]
    )
    order = [row["article_id"] for row in ranked]
    articles = Article.objects.in_bulk(order)
    return [articles[pk] for pk in order]


def articles_for_category(category: Category) -> QuerySet[Article]:
    return category.articles.filter(active=True).order_by("position", "id")


def article_by_id(article_id: int) -> Article:
    article = Article.objects.filter(pk=article_id, active=True).first()
    if article is None:
        raise NotFound("条目不存在")
    return article


def article_helped(*, article_id: int, actor: Any = None) -> int:
    """A driver says this entry met the need (so no appeal was submitted): counted with an F() update, so
    concurrent taps all count. Returns the new count."""
    article = article_by_id(article_id)
    Article.objects.filter(pk=article.pk).update(helped_count=F("helped_count") + 1)
    article.refresh_from_db(fields=["helped_count"])
    return article.helped_count
