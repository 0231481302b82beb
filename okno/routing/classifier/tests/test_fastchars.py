"""The word-by-word character features give the vectoriser's own matrix, so a
suggestion is the same with them as without."""

import numpy as np
import pytest

from okno.routing.classifier.services.fastchars import CharFeatures
from okno.routing.classifier.services.features import char_vectorizer

TRAINING = [
    "Банк списал комиссию за обслуживание карты без предупреждения",
    "Прошу вернуть деньги: платёж по кредиту прошёл дважды",
    "I was charged a late fee although I paid my credit card on time",
    "The collector keeps calling me about a debt that is not mine",
    "Ипотека: ставка изменилась, прошу пересчитать график платежей",
    "Card declined abroad, please unblock it. Карта заблокирована за границей!",
    "XXXX XXXX bank, account XX/XX/2024, $1,200.00 charged twice",
    "Кредит кредита кредитом — а ещё ёлка, ЁЖ и Ёлка",
]

TEXTS = [
    *TRAINING,
    "",
    "   ",
    "a",
    "я",
    "ab",
    "Новые слова, которых не было при обучении: антидемпинговый, сверхбыстрый",
    "tabs\tand\nnew lines\r\n  and   spaces\u00a0nbsp and\u2003em space",
    "ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ and ﬁ ligature",
    "aaaa aaaaaaa — repeated n-grams inside one word",
    "emoji 🙂 and symbols ©®™ №5 §2",
    "Длинный текст " * 300,
]


@pytest.fixture(scope="module")
def vectorizer():
    fitted = char_vectorizer(min_df=1)
    fitted.fit(TRAINING)
    return fitted


def test_the_same_matrix_as_scikit_learn(vectorizer):
    fast = CharFeatures(vectorizer)
    assert CharFeatures.applies(vectorizer)
    expected = vectorizer.transform(TEXTS)
    got = fast.transform(TEXTS)
    assert got.shape == expected.shape
    assert np.array_equal(got.indptr, expected.indptr)
    assert np.array_equal(got.indices, expected.indices)
    assert np.allclose(got.data, expected.data)
    # Again, now from the words it keeps.
    again = fast.transform(list(reversed(TEXTS)))
    assert np.allclose(again.toarray(), vectorizer.transform(list(reversed(TEXTS))).toarray())


def test_a_full_memory_of_words_starts_again_and_stays_right(vectorizer):
    fast = CharFeatures(vectorizer, max_words=5)
    got = fast.transform(TEXTS)
    assert len(fast.words) <= 5
    assert np.allclose(got.toarray(), vectorizer.transform(TEXTS).toarray())


def test_only_a_fitted_char_wb_tfidf_is_taken_over(vectorizer):
    from sklearn.feature_extraction.text import TfidfVectorizer

    assert not CharFeatures.applies(char_vectorizer())  # not fitted
    assert not CharFeatures.applies(TfidfVectorizer(analyzer="word").fit(TRAINING))
    assert not CharFeatures.applies(TfidfVectorizer(analyzer="char_wb", binary=True).fit(TRAINING))


@pytest.mark.parametrize("classes", [2, 3])
def test_the_linear_shortcut_gives_logistic_regressions_probabilities(vectorizer, classes):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    from okno.routing.classifier.services.predict import _Loaded

    labels = [str(i % classes) for i in range(len(TRAINING))]
    classifier = LogisticRegression().fit(vectorizer.transform(TRAINING), labels)
    pipeline = Pipeline([("features", vectorizer), ("classifier", classifier)])
    loaded = _Loaded(1, "category", 1, pipeline, [], np.array([]), CharFeatures(vectorizer), pipeline[1:], classifier)
    got = loaded.probabilities(TEXTS)
    assert got.shape == (len(TEXTS), classes)
    assert np.abs(got - pipeline.predict_proba(TEXTS)).max() < 1e-12
