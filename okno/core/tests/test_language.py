"""Russian unless the person chose English; the API follows Accept-Language."""


def test_pages_are_russian_even_for_an_english_browser(client, db):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="ru">' in page.content.decode()


def test_a_chosen_language_is_kept(client, db):
    client.cookies["okno_language"] = "en"
    assert '<html lang="en">' in client.get("/accounts/login/").content.decode()


def test_an_unknown_cookie_falls_back_to_russian(client, db):
    client.cookies["okno_language"] = "klingon"
    assert '<html lang="ru">' in client.get("/accounts/login/").content.decode()


def test_the_api_answers_in_the_language_asked(client, db):
    russian = client.get("/api/v1/me").json()["detail"]
    english = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    assert russian != english and english.startswith("Authentication required")
