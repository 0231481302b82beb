"""The post API: replying by a paper letter, letters, registries and settings,
with 4xx on bad input and on what the caller may not see or do."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from okno.appeals.choices import DeliveryStatus
from okno.channels.post.tests.helpers import configure, letters, paper_reply
from okno.testing import Org
from okno.testing_api import ApiClient

BODY = {
    "body_text": "Уважаемый Иван Иванович! Комиссия возвращена.",
    "address": {
        "addressee": "Иванов Иван Иванович",
        "address": "ул. Ленина, д. 5, кв. 12",
        "postcode": "620014",
        "locality": "г. Екатеринбург",
    },
}


def test_replying_by_post_through_the_api(org: Org) -> None:
    appeal = org.appeal()
    api = ApiClient(org.anna)
    response = api.post(f"/appeals/{appeal.pk}/reply/paper", BODY)
    assert response.status_code == 201, response.json()
    assert response.json()["channel"] == "paper"
    assert response.json()["delivery_status"] == DeliveryStatus.QUEUED
    listed = api.get("/post/letters").json()
    assert listed["count"] == 1 and listed["items"][0]["postcode"] == "620014"

    bad = {**BODY, "address": {**BODY["address"], "postcode": "62001"}}
    response = api.post(f"/appeals/{appeal.pk}/reply/paper", bad)
    assert response.status_code == 400 and response.json()["field"] == "postcode"
    assert ApiClient(org.boris).post(f"/appeals/{appeal.pk}/reply/paper", BODY).status_code == 404


def test_a_tracking_number_failing_its_check_digit_comes_back_with_a_warning(org: Org) -> None:
    letter = paper_reply(org)
    api = ApiClient(org.anna)
    response = api.patch(f"/post/letters/{letter.pk}", {"tracking_number": "11512780151384", "postage": "61.20"})
    assert response.status_code == 200, response.json()
    assert response.json()["warning"] and response.json()["postage"] == "61.20"
    response = api.patch(f"/post/letters/{letter.pk}", {"tracking_number": "11512780151385"})
    assert response.json()["warning"] == ""
    assert api.patch(f"/post/letters/{letter.pk}", {"tracking_number": "abc"}).status_code == 400
    assert api.patch(f"/post/letters/{letter.pk}", {"weight_g": 0}).status_code == 422
    assert api.patch(f"/post/letters/{letter.pk}", {"colour": "red"}).status_code == 422
    assert ApiClient(org.boris).get(f"/post/letters/{letter.pk}").status_code == 404
    assert api.get(f"/post/letters/{letter.pk}/pdf").content.startswith(b"%PDF")


def test_registries_through_the_api(org: Org) -> None:
    configure(org)
    made = letters(org, 3)
    api = ApiClient(org.dina)
    assert ApiClient(org.anna).post("/post/registries", {"letters": "all"}).status_code == 403
    assert api.post("/post/registries", {"letters": [made[0].pk, 10**12]}).status_code == 404
    assert api.post("/post/registries", {"letters": []}).status_code == 400
    assert api.post("/post/registries", {"letters": "some"}).status_code == 422

    response = api.post("/post/registries", {"letters": "all"})
    assert response.status_code == 201, response.json()
    registry = response.json()
    assert registry["letter_count"] == 3 and len(registry["lists"]) == 1
    assert sorted(registry["lists"][0]["letter_ids"]) == sorted(m.pk for m in made)
    assert api.post("/post/registries", {"letters": [made[0].pk]}).status_code == 409

    rid = registry["id"]
    assert [r["id"] for r in api.get("/post/registries").json()] == [rid]
    assert api.get(f"/post/registries/{rid}/pdf").content.startswith(b"%PDF")
    book = load_workbook(io.BytesIO(api.get(f"/post/registries/{rid}/xlsx").content))
    assert len(book.sheetnames) == 1
    assert ApiClient(org.boris).get(f"/post/registries/{rid}").status_code == 404

    posted = api.post(f"/post/registries/{rid}/post")
    assert posted.status_code == 200 and posted.json()["status"] == "posted"
    assert api.post(f"/post/registries/{rid}/post").status_code == 409
    assert api.post(f"/post/registries/{rid}/undo").status_code == 409
    letter = api.get(f"/post/letters/{made[0].pk}").json()
    assert letter["status"] == "posted" and len(letter["tracking_number"]) == 14


def test_only_administrators_change_the_post_settings(org: Org) -> None:
    assert ApiClient(org.dina).get("/post/settings").status_code == 403
    api = ApiClient(org.adam)
    response = api.patch("/post/settings", {"office_postcode": "125009", "office_name": "ОПС 125009"})
    assert response.status_code == 200 and response.json()["office_postcode"] == "125009"
    assert api.patch("/post/settings", {"office_postcode": "12500"}).status_code == 400
    assert api.patch("/post/settings", {"serial_from": 500, "serial_to": 10}).status_code == 400
    assert ApiClient(org.dina).patch("/post/settings", {"office_name": "x"}).status_code == 403
