"""The shared PDF renderer: Cyrillic text with the vendored font, no network reads."""

from pathlib import Path

import pytest
from django.template import engines

from okno.core import pdf


def _render(body: str) -> bytes:
    template = engines["django"].from_string('{% extends "pdf/base.html" %}{% block body %}' + body + "{% endblock %}")
    html = template.render({"pdf_static": pdf.STATIC_DIR.as_uri()})
    from weasyprint import HTML

    return HTML(string=html, base_url=pdf.STATIC_DIR.as_uri() + "/", url_fetcher=pdf._fetcher()).write_pdf(
        uncompressed_pdf=True
    )


def test_russian_text_is_set_in_the_vendored_font():
    data = _render("<h1>Реестр заказных писем</h1><p>Обращение № 2026-000123</p>")
    assert data.startswith(b"%PDF")
    # The embedded font is the one the template declares from static/, not a system fallback.
    assert b"+Okno-Sans" in data


def test_a_network_image_is_never_fetched(tmp_path: Path):
    # Not fetched means: rendering does not wait for or reach the address, it is dropped.
    data = _render('<img src="http://198.51.100.7/track.png"><p>Текст</p>')
    assert data.startswith(b"%PDF")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://example.org/x.css"])
def test_fetcher_refuses_anything_but_static_files(url):
    with pytest.raises(ValueError):
        pdf._fetcher().fetch(url)


def test_fetcher_reads_the_vendored_font():
    response = pdf._fetcher().fetch((pdf.STATIC_DIR / "vendor/dejavu/DejaVuSans.ttf").as_uri())
    assert response is not None
