"""The post pages: the list, a letter with its warning, forming, posting and
undoing a registry, and the settings page for administrators only."""

from __future__ import annotations

from django.test import Client

from okno.accounts.models import User
from okno.channels.post.choices import LetterStatus, RegistryStatus
from okno.channels.post.models import PaperLetter, RegistryBatch
from okno.channels.post.tests.helpers import configure, letters, paper_reply
from okno.testing import Org


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_list_forms_posts_and_undoes_registries(org: Org) -> None:
    configure(org)
    made = letters(org, 2)
    dina = _client("dina")
    page = dina.get("/post/")
    assert page.status_code == 200 and "Иванов Иван Иванович" in page.content.decode()
    response = dina.post("/post/registries/form/", {"ids": [made[0].pk]})
    batch = RegistryBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/post/registries/{batch.pk}/"
    detail = dina.get(f"/post/registries/{batch.pk}/")
    assert detail.status_code == 200 and "620014" in detail.content.decode()
    assert dina.get(f"/post/registries/{batch.pk}/pdf/").content.startswith(b"%PDF")
    assert dina.get(f"/post/registries/{batch.pk}/xlsx/").status_code == 200
    dina.post(f"/post/registries/{batch.pk}/undo/")
    assert PaperLetter.objects.get(pk=made[0].pk).status == LetterStatus.TO_POST
    dina.post("/post/registries/form/", {"all": "1"})
    second = RegistryBatch.objects.exclude(pk=batch.pk).get()
    dina.post(f"/post/registries/{second.pk}/post/")
    second.refresh_from_db()
    assert second.status == RegistryStatus.POSTED
    assert set(PaperLetter.objects.values_list("status", flat=True)) == {LetterStatus.POSTED}


def test_a_letter_page_shows_the_check_digit_warning(org: Org) -> None:
    letter = paper_reply(org)
    anna = _client("anna")
    data = {
        "addressee": letter.addressee,
        "address": letter.address,
        "locality": letter.locality,
        "postcode": letter.postcode,
        "phone": "",
        "weight_g": 22,
        "declared_value": "0",
        "cash_on_delivery": "0",
        "postage": "67.20",
        "special_marks": "",
        "tracking_number": "11512780151384",
    }
    response = anna.post(f"/post/letters/{letter.pk}/", data, follow=True)
    assert response.status_code == 200
    assert "tracking-warning" in response.content.decode()
    assert _client("boris").get(f"/post/letters/{letter.pk}/").status_code == 404
    assert _client("kira").get("/post/").status_code == 403
    assert anna.get(f"/post/letters/{letter.pk}/pdf/").content.startswith(b"%PDF")


def test_only_administrators_open_the_post_settings(org: Org) -> None:
    assert _client("dina").get("/settings/post/").status_code == 403
    adam = _client("adam")
    assert adam.get("/settings/post/").status_code == 200
    response = adam.post(
        "/settings/post/",
        {
            "org_name": "АО «Банк Окно»",
            "office_postcode": "12500",
            "mail_kind": "registered_letter",
            "mail_class": "ordinary",
            "payer": "sender",
            "payment_method": "cashless",
            "default_weight_g": 20,
            "default_postage": "0",
            "serial_from": 1,
            "serial_to": 99999,
        },
    )
    assert response.status_code == 400
