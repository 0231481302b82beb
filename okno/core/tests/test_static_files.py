"""Static files come from the app itself, as whole responses with WhiteNoise's
caching headers (no file stream for Django to warn about under ASGI)."""


def test_a_static_file_is_a_plain_response_with_caching_headers(client, db):
    response = client.get("/static/vendor/htmx/htmx.min.js")
    assert response.status_code == 200
    assert not response.streaming
    assert response["Content-Type"].startswith("text/javascript")
    assert response.content.startswith(b"var htmx") or b"htmx" in response.content[:200]
    assert "ETag" in response or "Last-Modified" in response
    assert "max-age" in response["Cache-Control"]


def test_a_range_request_gets_part_of_the_file(client, db):
    response = client.get("/static/okno.css", HTTP_RANGE="bytes=0-9")
    assert response.status_code == 206
    assert len(response.content) == 10


def test_an_unchanged_file_is_not_sent_again(client, db):
    first = client.get("/static/okno.css")
    validator = {"HTTP_IF_NONE_MATCH": first["ETag"]} if "ETag" in first else {}
    again = client.get("/static/okno.css", **validator)
    assert again.status_code == 304 and again.content == b""
