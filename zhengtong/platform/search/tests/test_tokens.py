"""How text becomes tokens: what a document holds and what a query asks for."""

from zhengtong.platform.search.tokens import QueryToken, query_tokens, tokenize


def test_a_title_gives_its_words_and_numbers_without_function_words() -> None:
    tokens = tokenize("关于做好2026年防汛工作的通知")
    assert {"做好", "2026", "防汛", "工作", "通知"} <= set(tokens)
    assert "的" not in tokens and "关于" not in tokens


def test_search_mode_also_indexes_the_words_inside_a_longer_word() -> None:
    assert {"水务", "水务局", "印发", "节水"} <= set(tokenize("市水务局关于印发节水行动方案的通知"))


def test_tokens_are_distinct_lower_case_and_without_punctuation() -> None:
    tokens = tokenize("通知！通知？ Flood REPORT，flood。")
    assert tokens == ["通知", "flood", "report"]


def test_latin_codes_are_normalised_full_width_and_case_alike() -> None:
    assert tokenize("GB/T 9704-2012") == ["gb", "t", "gbt", "9704", "2012"]
    assert tokenize("ＧＢ／Ｔ") == ["gb", "t", "gbt"]
    assert [q.token for q in query_tokens("gbt")] == ["gbt"]


def test_the_government_dictionary_keeps_office_terms_whole() -> None:
    assert "会签" in tokenize("请各部门会签后报分管领导签发")
    assert "河长制" in tokenize("全面推行河长制")
    assert [q.token for q in query_tokens("主送机关")] == ["主送机关"]


def test_an_unknown_name_falls_apart_alike_in_text_and_query() -> None:
    # Without jieba's HMM the text does not invent the "word" 赵晓燕于.
    assert {q.token for q in query_tokens("赵晓燕")} <= set(tokenize("请赵晓燕于周五前报送"))


def test_a_character_standing_alone_is_a_partial_query() -> None:
    assert query_tokens("水") == [QueryToken("水", partial=True)]
    assert QueryToken("年", partial=True) in query_tokens("2025年")
    # Within a run of Chinese it is the word jieba cut, as in the text.
    assert QueryToken("赵") in query_tokens("赵晓燕")


def test_a_query_of_punctuation_or_function_words_asks_for_nothing() -> None:
    assert query_tokens("！？。，、 …") == []
    assert query_tokens("的 了") == []
    assert query_tokens("   ") == []


def test_long_tokens_are_cut_to_the_column_alike_on_both_sides() -> None:
    code = "x" * 40
    assert tokenize(code) == ["x" * 32]
    assert [q.token for q in query_tokens(code)] == ["x" * 32]
