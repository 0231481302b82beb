from okno.lib.sentence import fill


def test_a_name_ending_with_an_initial_ends_the_sentence_once():
    template = "Политику сроков «%(policy)s» изменил(а) %(user)s."
    assert (
        fill(template, {"policy": "Жалобы", "user": "Морозов А."}) == "Политику сроков «Жалобы» изменил(а) Морозов А."
    )
    assert fill(template, {"policy": "Жалобы", "user": "admin"}) == "Политику сроков «Жалобы» изменил(а) admin."


def test_a_date_ending_with_the_year_abbreviation():
    assert fill("Продлён до %(date)s.", {"date": "2 марта 2026 г."}) == "Продлён до 2 марта 2026 г."


def test_only_the_stop_right_after_that_value_goes():
    template = "%(who)s. Срок: %(date)s."
    assert fill(template, {"who": "Морозов А.", "date": "2 марта"}) == "Морозов А. Срок: 2 марта."
    assert fill("%(a)s. %(b)s.", {"a": "Стоп!", "b": "Готово?"}) == "Стоп! Готово?"


def test_a_literal_percent_placeholder_is_left_alone():
    assert fill("%%(user)s. %(user)s.", {"user": "Морозов А."}) == "%(user)s. Морозов А."
