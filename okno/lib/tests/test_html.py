from okno.lib.html import html_to_text, sanitize_html, text_to_html


def test_scripts_handlers_styles_and_remote_images_go():
    dirty = (
        '<p onclick="steal()" style="color:red">Привет<script>alert(1)</script></p>'
        '<img src="https://tracker.example/p.gif"><img src="cid:logo"><a href="javascript:x()">x</a>'
        "<style>p{}</style><iframe src=//evil></iframe>"
    )
    clean = sanitize_html(dirty)
    for bad in ("onclick", "style", "script", "tracker", "javascript", "iframe"):
        assert bad not in clean
    assert "Привет" in clean and 'src="cid:logo"' in clean


def test_links_cannot_reach_back():
    assert 'rel="noopener noreferrer nofollow"' in sanitize_html('<a href="https://bank.ru">сайт</a>')


def test_text_from_html_keeps_lines_and_entities():
    assert html_to_text("<div>Строка&nbsp;1</div><p>Строка &laquo;2&raquo;</p><br>") == "Строка\xa01\nСтрока «2»"


def test_plain_text_becomes_escaped_paragraphs():
    assert text_to_html("a <b>\nc\n\nd") == "<p>a &lt;b&gt;<br>c</p><p>d</p>"
