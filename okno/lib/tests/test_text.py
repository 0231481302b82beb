from okno.lib.text import fold, search_document, search_terms


def test_fold_handles_cyrillic_case_and_yo():
    assert fold("ЁЖИК Ёлкин") == "ежик елкин"


def test_terms_are_stems_without_repeats():
    assert search_terms("Кредиты кредитов КРЕДИТЫ") == ["кредит"]
    assert search_terms("charges charged") == ["charg"]


def test_the_document_holds_words_and_stems():
    assert set(search_document("Кредит", None, "досрочно")) >= set()
    assert search_document("Кредит досрочно").split() == ["кредит", "кред", "досрочно", "досрочн"]
