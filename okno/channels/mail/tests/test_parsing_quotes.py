"""What the timeline shows of a reply: the answer without the quoted correspondence,
for the clients Russian and English-speaking people write from."""

from __future__ import annotations

import pytest

from okno.channels.mail.parsing import html_text
from okno.channels.mail.quotes import cut_html_quote, strip_quotes

QUOTE_STYLES = {
    "outlook ru": (
        "Спасибо, вопрос решён.\n\nС уважением,\nИван\n\n"
        "От: Служба поддержки <support@example.test>\nОтправлено: 15 марта 2024 г. 10:00\n"
        "Кому: Иван <ivan@example.org>\nТема: RE: Не могу войти\n\nЗдравствуйте!"
    ),
    "outlook en": (
        "Спасибо, вопрос решён.\n\nС уважением,\nИван\n\n________________________________\n"
        "From: Support <support@example.test>\nSent: Friday, March 15, 2024 10:00 AM\nTo: Ivan\nSubject: RE: x\n\nold"
    ),
    "outlook bold (from html)": (
        "Спасибо, вопрос решён.\n\nС уважением,\nИван\n\n*From:* Support\n*Sent:* Friday\n*To:* Ivan\n\nold"
    ),
    "original message": "Спасибо, вопрос решён.\n\nС уважением,\nИван\n\n-----Original Message-----\nFrom: a@b.c\n\nold",
    "исходное сообщение": (
        "Спасибо, вопрос решён.\n\nС уважением,\nИван\n\n-------- Исходное сообщение --------\n"
        "Тема: Заявка\nДата: 15.03.2024 10:00\nОт: support@example.test\n\nстарое"
    ),
    "gmail en": (
        "Спасибо, вопрос решён.\n\nС уважением,\nИван\n\n"
        "On Fri, Mar 15, 2024 at 10:00 AM Support <support@example.test> wrote:\n\n> old\n> text"
    ),
    "gmail en, wrapped": (
        "Спасибо, вопрос решён.\n\nС уважением,\nИван\n\n"
        "On Fri, Mar 15, 2024 at 10:00 AM Support Team of the Bank <\nsupport@example.test> wrote:\n\n> old"
    ),
    "gmail ru": (
        "Спасибо, вопрос решён.\n\nС уважением,\nИван\n\n"
        "пт, 15 мар. 2024 г. в 10:00, Служба поддержки <support@example.test>:\n\n> Здравствуйте!"
    ),
    "yandex": (
        'Спасибо, вопрос решён.\n\nС уважением,\nИван\n\n15.03.2024, 10:00, "Служба поддержки" <support@example.test>:\n'
        "> Здравствуйте!"
    ),
    "mail.ru": (
        "Спасибо, вопрос решён.\n\nС уважением,\nИван\n\n\n"
        "Пятница, 15 марта 2024, 10:00 +03:00 от Служба поддержки <support@example.test>:\n\n>Здравствуйте!"
    ),
    "thunderbird ru": "Спасибо, вопрос решён.\n\nС уважением,\nИван\n\n15.03.2024 10:00, Служба поддержки пишет:\n> старое",
    "apple mail ru": (
        "Спасибо, вопрос решён.\n\nС уважением,\nИван\n\n"
        "> 15 марта 2024 г., в 10:00, Служба поддержки <support@example.test> написал(а):\n>\n> старое"
    ),
    "bare > lines": "Спасибо, вопрос решён.\n\nС уважением,\nИван\n\n> старое\n> письмо",
}


@pytest.mark.parametrize("style", QUOTE_STYLES)
def test_the_quote_is_cut_in_every_client_style(style):
    text = QUOTE_STYLES[style]
    assert strip_quotes(text) == "Спасибо, вопрос решён.\n\nС уважением,\nИван"


def test_a_top_posted_answer_is_a_prefix_of_the_whole_text():
    text = QUOTE_STYLES["outlook ru"]
    answer = strip_quotes(text)
    assert text.startswith(answer) and "Здравствуйте!" in text[len(answer) :]


def test_an_answer_below_the_quote_or_between_its_lines_is_kept():
    assert strip_quotes("On Fri, Mar 15, 2024, Support wrote:\n> Ваш номер?\n\nНомер 12345.") == "Номер 12345."
    assert strip_quotes("Привет\n> вопрос 1\nответ 1\n> вопрос 2\nответ 2") == "Привет\nответ 1\nответ 2"


def test_a_bare_forward_keeps_everything():
    text = "---------- Forwarded message ---------\nFrom: X <x@example.org>\nDate: Fri\nSubject: s\n\nthe text"
    assert strip_quotes(text) == text


def test_text_that_only_looks_like_a_quote_stays():
    for text in (
        "Мои данные:\nИван Петров\nтел. 123",
        "Вот что он написал:\nничего",
        "From: the manager I got this answer.\nIt was wrong.",
        "Письмо без цитаты.",
    ):
        assert strip_quotes(text) == text


def test_html_quote_containers_are_cut_before_text_is_derived():
    gmail = (
        '<div dir="ltr">Спасибо!</div><br><div class="gmail_quote"><div class="gmail_attr">'
        "пт, 15 мар. 2024 г. в 10:00, X &lt;x@example.org&gt;:<br></div>"
        '<blockquote class="gmail_quote">старое</blockquote></div>'
    )
    yandex = (
        "<html><head><style>p{}</style></head><body><p>Ответ</p>"
        "<div>15.03.2024, 10:00, &quot;X&quot; &lt;x@example.org&gt;:</div><blockquote><p>старое</p></blockquote>"
    )
    thunderbird = '<p>Ответ</p><div class="moz-cite-prefix">On 15.03.2024 X wrote:<br></div><blockquote type="cite">old'
    assert strip_quotes(html_text(cut_html_quote(gmail))) == "Спасибо!"
    assert strip_quotes(html_text(cut_html_quote(yandex))) == "Ответ"
    assert strip_quotes(html_text(cut_html_quote(thunderbird))) == "Ответ"
    assert cut_html_quote("<p>no quote</p>") == "<p>no quote</p>"
    indented = '<div>Ответ</div><blockquote style="margin:0 0 0 40px;border:none;padding:0px">с отступом</blockquote>'
    assert cut_html_quote(indented) == indented


def test_text_from_html_skips_head_comments_and_source_line_breaks():
    html = (
        "<html><head><title>t</title><style>p {color: red}</style></head><body>"
        "<!--[if gte mso 9]><xml>junk</xml><![endif]--><p>Строка\nодна&nbsp;и та же</p>"
        "<table><tr><td>A</td><td>B</td></tr></table><pre>код\n  с отступом</pre></body></html>"
    )
    # Line breaks inside <pre> stay (okno.lib.html strips each line's indentation).
    assert html_text(html) == "Строка одна и та же\nA B\n\nкод\nс отступом"
