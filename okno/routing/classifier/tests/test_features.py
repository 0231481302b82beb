"""What the model reads. There is no labelled Russian set to measure on, so the
Russian side is checked for what it must do: word forms of one word give the same
lemma features (a model trained on «кредита» recognises «кредитом»)."""

from __future__ import annotations

import numpy as np

from okno.routing.classifier.services import features


def test_russian_word_forms_give_one_lemma():
    forms = ["кредит", "кредита", "кредиту", "кредитом", "кредите", "Кредиты", "КРЕДИТОВ"]
    assert {features.lemma(word.lower()) for word in forms} == {"кредит"}
    assert features.lemmas("Списали комиссию по карте") == features.lemmas("списать комиссия по карта")
    assert features.lemmas("Ёлка и елка") == ["елка", "и", "елка"]


def test_texts_that_differ_only_in_word_forms_have_the_same_lemma_features():
    vectorizer = features.vectorizer(features.LEMMAS, examples=3)
    matrix = vectorizer.fit_transform(
        [
            "Банк не вернул деньги по кредиту",
            "Банка не вернули деньгами по кредитом",
            "Коллекторы звонят каждый день",
        ]
    ).toarray()
    assert np.allclose(matrix[0], matrix[1])
    assert not np.allclose(matrix[0], matrix[2])
    # Bigrams of lemmas are features too: "вернуть деньга" is one.
    assert "вернуть деньга" in vectorizer.vocabulary_


def test_english_words_are_stemmed_as_search_stems_them():
    assert features.lemmas("Mortgages mortgage MORTGAGED") == ["mortgag", "mortgag", "mortgag"]
    assert features.lemmas("XXXX/XXXX 2019") == ["xxxx", "xxxx", "2019"]


def test_character_ngrams_read_case_and_yo_alike():
    vectorizer = features.vectorizer(features.CHARS, examples=2)
    matrix = vectorizer.fit_transform(["ЁЛКА зелёная", "елка Зеленая"]).toarray()
    assert np.allclose(matrix[0], matrix[1])


def test_both_joins_the_two_feature_sets():
    both = features.vectorizer(features.BOTH, examples=2)
    matrix = both.fit_transform(["Кредит погашен", "Ипотека одобрена"])
    chars = features.vectorizer(features.CHARS, examples=2).fit_transform(["Кредит погашен", "Ипотека одобрена"])
    lemmas = features.vectorizer(features.LEMMAS, examples=2).fit_transform(["Кредит погашен", "Ипотека одобрена"])
    assert matrix.shape[1] == chars.shape[1] + lemmas.shape[1]


def test_a_model_reads_the_beginning_of_a_long_letter_only():
    begin = "Банк списал комиссию по кредитной карте. " * 40  # longer than what is read
    assert len(begin) > features.TEXT_CHARS
    for kind in (features.CHARS, features.LEMMAS):
        vectorizer = features.vectorizer(kind, examples=3)
        vectorizer.fit([begin, "ипотека ставка график", "коллектор долг звонки"])
        same, other = vectorizer.transform([begin + "ипотека ипотека", begin]).toarray()
        assert np.allclose(same, other), kind  # what follows the first TEXT_CHARS changes nothing
