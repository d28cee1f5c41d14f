"""Indexing and searching: Chinese queries find the right objects, in the right order."""

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from zhengtong.platform.search import services
from zhengtong.platform.search.models import Entry, Term
from zhengtong.platform.search.queries import matching_ids, ranked_ids

pytestmark = pytest.mark.django_db

DOC = "documents.document"


def found(query: str, kind: str = DOC) -> set[int]:
    return set(matching_ids(kind, query).values_list("object_id", flat=True))


@pytest.fixture
def documents() -> None:
    services.index(DOC, 1, title="关于做好2026年防汛工作的通知", body="各区县人民政府：现将有关防汛抗旱事项通知如下。")
    services.index(DOC, 2, title="市水务局关于印发节水行动方案的通知", body="请结合实际认真贯彻执行。")
    services.index(DOC, 3, title="关于召开安全生产工作会议的通知", body="会议将通报汛期水库安全检查情况。")
    services.index(DOC, 4, title="关于报送2025年度工作总结的函", body="依据GB/T 9704-2012编排，请于12月31日前报送。")


def test_chinese_words_find_the_documents_that_hold_them(documents: None) -> None:
    assert found("防汛") == {1}
    assert found("水务") == {2}  # a word inside 市水务局
    assert found("水务局") == {2}
    assert found("节水行动") == {2}
    assert found("2026") == {1}
    assert found("通知") == {1, 2, 3}
    assert found("抗旱") == {1}  # body text


def test_every_word_of_the_query_must_be_there(documents: None) -> None:
    assert found("防汛 通知") == {1}
    assert found("安全生产 会议") == {3}
    assert found("防汛 节水") == set()
    assert found("工作通知") == {1, 3}


def test_latin_codes_and_numbers(documents: None) -> None:
    assert found("GB/T 9704") == {4}
    assert found("gbt") == {4}
    assert found("2025年") == {4}  # 年度
    assert found("12月31日") == {4}


def test_one_character_alone_matches_the_words_that_contain_it(documents: None) -> None:
    assert found("汛") == {1, 3}  # 防汛, 汛期
    assert ranked_ids(DOC, "汛") == [1, 3]  # in 1's title, in 3's text
    assert found("水 通知") == {2, 3}  # 水务局, 节水, 水库
    assert found("水 会议") == {3}
    assert sorted(matching_ids(DOC, "水").values_list("object_id", flat=True)) == [2, 3]  # each once


def test_an_empty_or_punctuation_only_query_finds_nothing(documents: None) -> None:
    for query in ["", "   ", "！？。，", "的"]:
        assert found(query) == set()
        assert ranked_ids(DOC, query) == []


def test_a_title_match_ranks_above_a_body_match_then_the_newer_first() -> None:
    services.index(DOC, 10, title="关于水库除险加固的通知", body="请做好防汛准备。")
    services.index(DOC, 11, title="防汛检查情况通报", body="")
    services.index(DOC, 12, title="关于开展防汛演练的通知", body="")
    services.index(DOC, 13, title="工作简报", body="防汛")
    assert ranked_ids(DOC, "防汛") == [12, 11, 13, 10]
    assert ranked_ids(DOC, "防汛", limit=2) == [12, 11]
    # The summed weight decides before recency: 12 has both words in its title.
    assert ranked_ids(DOC, "防汛 通知") == [12, 10]


def test_reindexing_replaces_the_old_words_and_is_idempotent() -> None:
    services.index(DOC, 1, title="关于防汛工作的通知", body="水库巡查")
    services.index(DOC, 1, title="关于节水工作的通知", body="水库巡查")
    assert found("防汛") == set()
    assert found("节水") == {1}
    assert found("水库") == {1}
    rows = sorted(Term.objects.values_list("token", "weight"))
    services.index(DOC, 1, title="关于节水工作的通知", body="水库巡查")
    assert sorted(Term.objects.values_list("token", "weight")) == rows
    assert Entry.objects.count() == 1


def test_a_word_moved_between_title_and_body_changes_its_weight() -> None:
    services.index(DOC, 1, title="防汛通知", body="水库")
    services.index(DOC, 2, title="水库通知", body="防汛")
    assert ranked_ids(DOC, "防汛") == [1, 2]
    services.index(DOC, 1, title="水库通知", body="防汛")
    services.index(DOC, 2, title="防汛通知", body="水库")
    assert ranked_ids(DOC, "防汛") == [2, 1]


def test_remove_takes_the_object_out_of_the_index() -> None:
    services.index(DOC, 1, title="防汛通知")
    services.index(DOC, 2, title="防汛简报")
    services.remove(DOC, 1)
    services.remove(DOC, 99)  # not indexed: nothing happens
    assert found("防汛") == {2}
    assert not Term.objects.filter(entry__object_id=1).exists()


def test_kinds_do_not_see_each_other() -> None:
    services.index(DOC, 1, title="防汛通知")
    services.index("bulletins.bulletin", 1, title="防汛动态")
    assert found("防汛", DOC) == {1}
    assert found("动态", DOC) == set()
    assert found("动态", "bulletins.bulletin") == {1}
    services.remove("bulletins.bulletin", 1)
    assert found("防汛", DOC) == {1}


def test_indexing_rolls_back_with_the_callers_transaction() -> None:
    services.index(DOC, 1, title="防汛通知")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.index(DOC, 1, title="节水通知")
        services.index(DOC, 2, title="节水方案")
        raise RuntimeError("the caller's service failed")
    assert found("防汛") == {1}
    assert found("节水") == set()


def test_the_ids_compose_with_the_callers_filters_in_one_query(clerk: Any, head: Any, outsider: Any,
                                                               django_assert_num_queries: Any) -> None:
    User = get_user_model()
    for person in (clerk, head, outsider):
        services.index("accounts.user", person.pk, title=person.display_name, body="防汛值班")
    ids = matching_ids("accounts.user", "防汛 值班")  # may look up which word is rarer
    with django_assert_num_queries(1):
        visible = set(User.objects.filter(clearance__gte=1, pk__in=ids))
    assert visible == {clerk, head}
    assert set(User.objects.filter(pk__in=matching_ids("accounts.user", "李处长"))) == {head}
    assert not User.objects.filter(pk__in=matching_ids("accounts.user", "。")).exists()
