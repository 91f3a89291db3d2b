"""The knowledge base: jieba words, the inverted index, ranking, the seeded measures, the pages."""

from __future__ import annotations

import pytest
from django.test import Client

from chelun.appeals import knowledge, segment
from chelun.appeals.models import Article, ArticleToken
from chelun.appeals.tests.factories import category, driver_user


def test_words_not_characters_and_the_platforms_terms_stay_whole():
    assert segment.tokens("货车司机运费被拖欠怎么办？") == ["货车", "司机", "货车司机", "运费", "拖欠"]
    assert "暖心之家" in segment.tokens("暖心之家收费")
    assert segment.tokens("！？。") == []


def test_a_query_of_single_characters_keeps_them():
    assert segment.tokens("车") == ["车"]


def test_title_words_weigh_three_times():
    weights = segment.weighted_tokens("运费拖欠", "运费")
    assert weights == {"运费": 4, "拖欠": 3}


def test_the_seeded_measures_are_entries_linked_to_their_categories(db):
    titles = list(Article.objects.values_list("title", flat=True)[:3])
    assert titles == [
        "交通运输领域稳住经济 6 方面 30 项措施",
        "支撑服务“两稳一保”十项措施",
        "加强货车司机管理服务六条措施",
    ]
    linked = [a.title for a in knowledge.articles_for_category(category("unpaid_freight"))]
    assert linked == ["支撑服务“两稳一保”十项措施", "运费被拖欠怎么办？"]
    assert (
        ArticleToken.objects.filter(token="运费", article__title="运费被拖欠怎么办？").get().weight == 4
    )  # title 3 + body 1


def test_search_ranks_by_words_matched_then_weight(db):
    results = [a.title for a in knowledge.article_search("运费被拖欠了怎么办")]
    assert results[0] == "运费被拖欠怎么办？"
    assert knowledge.article_search("暖心之家 收费")[0].title == "暖心之家提供哪些免费服务？"
    assert knowledge.article_search("量子纠缠") == []


def test_search_uses_the_index_not_like(db):
    # A word inside another word's characters but not a segment is not a match: 心之 is no word of the entry.
    assert knowledge.article_search("心之") == []


def test_a_saved_entry_is_indexed_in_the_same_step(db):
    article = knowledge.article_save(title="高速公路免费通行政策", body="节假日小客车免费", categories=[])
    assert knowledge.article_search("免费通行")[0].pk == article.pk


def test_helped_counts(db):
    article = Article.objects.get(title="运费被拖欠怎么办？")
    assert knowledge.article_helped(article_id=article.pk) == 1
    assert knowledge.article_helped(article_id=article.pk) == 2


@pytest.fixture
def driver(tree):
    return driver_user("driver-1", org=tree.wuhou_branch)


def test_the_submit_page_links_the_categorys_answers(tree, driver):
    client = Client()
    client.force_login(driver)
    page = client.get("/appeals/new/").content.decode()
    article = Article.objects.get(title="运费被拖欠怎么办？")
    assert f'href="/appeals/help/{article.pk}/"' in page


def test_help_search_page_and_helped_button(tree, driver):
    client = Client()
    client.force_login(driver)
    article = Article.objects.get(title="对执法有异议怎么办？")
    page = client.get("/appeals/help/", {"q": "执法 异议"}).content.decode()
    assert f'data-article="{article.pk}"' in page
    response = client.post(f"/appeals/help/{article.pk}/")
    assert response.status_code == 302 and response["Location"] == "/appeals/mine/"
    article.refresh_from_db()
    assert article.helped_count == 1


def test_an_entry_edited_in_the_admin_is_reindexed(tree):
    from chelun.orgs.tests.factories import superuser

    client = Client()
    client.force_login(superuser())
    article = Article.objects.get(title="举报人信息会保密吗？")
    data = {"title": "举报人信息保密规定", "body": "纪检人员可见", "source": "常见问题", "position": 1, "active": "on"}
    response = client.post(f"/admin/appeals/article/{article.pk}/change/", data)
    assert response.status_code == 302
    assert knowledge.article_search("保密规定")[0].pk == article.pk
    assert ArticleToken.objects.filter(article=article, token="清廉").count() == 0
