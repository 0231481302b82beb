from okno.lib.text import fold, search_document, search_terms


def test_fold_handles_cyrillic_case_and_yo():
    assert fold("ЁЖИК Ёлкин") == "ежик елкин"


def test_terms_are_stems_without_repeats():
    assert search_terms("Кредиты кредитов КРЕДИТЫ") == ["кредит"]
    assert search_terms("charges charged") == ["charg"]


def test_the_document_holds_words_and_stems():
    assert set(search_document("Кредит", None, "досрочно")) >= set()
    assert search_document("Кредит досрочно").split() == ["кредит", "кред", "досрочно", "досрочн"]


def test_the_c_stemmer_gives_snowballs_stems():
    """PyStemmer (C) does the stemming where installed; an index built with it must
    match queries stemmed by the pure-Python Snowball, and the other way round."""
    import snowballstemmer.english_stemmer as english
    import snowballstemmer.russian_stemmer as russian

    from okno.lib import text

    assert type(text._stem_ru).__module__ == "Stemmer"  # the fast one is in use
    samples = {
        russian.RussianStemmer(): "кредит кредита кредитом обращение обращения претензия претензиями "
        "ипотечного списали списание комиссии ёлка заблокировали",
        english.EnglishStemmer(): "credit crediting charged charges mortgage mortgages collection "
        "collectors disputed disputing generously",
    }
    for pure, words in samples.items():
        fast = text._stem_ru if isinstance(pure, russian.RussianStemmer) else text._stem_en
        for word in words.split():
            assert fast.stemWord(word) == pure.stemWord(word), word
