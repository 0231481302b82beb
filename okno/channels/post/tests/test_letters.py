"""Replying by a paper letter: the address is checked, the reply becomes a letter
waiting to be posted (not yet sent), approval holds it, and only those who may
see the appeal see its letter."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from okno.appeals.choices import Channel, DeliveryStatus, Direction, EventKind, Status
from okno.appeals.models import Event
from okno.appeals.services import approve_reply, reply
from okno.channels.post.choices import LetterStatus
from okno.channels.post.models import PaperLetter
from okno.channels.post.services import letters as service
from okno.channels.post.services.access import visible_letters
from okno.channels.post.services.letters import Address, address_of, reply_by_post, update_letter
from okno.channels.post.tests.helpers import ADDRESS, configure, paper_reply
from okno.clients.services import update_client
from okno.core.errors import Conflict, InvalidInput, NotFound
from okno.testing import Org


@pytest.mark.parametrize("postcode", ["", "12345", "1234567", "12 345", "abcdef", "１２３４５６"])
def test_a_postcode_must_be_six_digits(org: Org, postcode: str) -> None:
    appeal = org.appeal()
    with pytest.raises(InvalidInput) as caught:
        reply_by_post(org.anna, appeal, Address("Иванов И. И.", "ул. Ленина, 5", postcode), body_text="Ответ")
    assert caught.value.field == "postcode"
    assert not appeal.messages.filter(direction=Direction.OUTBOUND).exists()


def test_addressee_and_address_are_required(org: Org) -> None:
    with pytest.raises(InvalidInput) as caught:
        reply_by_post(org.anna, org.appeal(), Address("", "ул. Ленина, 5", "620014"), body_text="Ответ")
    assert caught.value.field == "addressee"
    with pytest.raises(InvalidInput) as caught:
        reply_by_post(org.anna, org.appeal(), Address("Иванов", "  ", "620014"), body_text="Ответ")
    assert caught.value.field == "address"


def test_a_paper_reply_waits_to_be_posted_and_answers_the_appeal(org: Org) -> None:
    configure(org, default_weight_g=25)
    appeal = org.appeal(channel=Channel.MAIL)
    message = reply_by_post(org.anna, appeal, ADDRESS, body_text="Комиссия возвращена.")
    assert message.channel == Channel.PAPER
    assert message.delivery_status == DeliveryStatus.QUEUED and message.sent_at is None
    letter = PaperLetter.objects.get(message=message)
    assert letter.status == LetterStatus.TO_PRINT
    assert (letter.addressee, letter.postcode, letter.weight_g) == ("Иванов Иван Иванович", "620014", 25)
    assert letter.author == org.anna and letter.appeal_id == appeal.pk
    appeal.refresh_from_db()
    assert appeal.status == Status.ANSWERED


def test_a_held_reply_becomes_a_letter_only_when_approved(org: Org) -> None:
    org.claims.requires_reply_approval = True
    org.claims.save()
    appeal = org.appeal()
    message = reply_by_post(org.anna, appeal, ADDRESS, body_text="Ответ на согласовании.")
    letter = PaperLetter.objects.get(message=message)
    assert letter.status == LetterStatus.DRAFT
    assert not visible_letters(org.sergey).filter(status__in=LetterStatus.waiting_values()).exists()
    approve_reply(org.sergey, message)
    letter.refresh_from_db()
    message.refresh_from_db()
    assert letter.status == LetterStatus.TO_PRINT
    assert message.delivery_status == DeliveryStatus.QUEUED


def test_a_plain_reply_on_a_paper_appeal_takes_the_clients_address(org: Org) -> None:
    update_client(org.adam, org.ivan, {"postal_address": "620014, г. Екатеринбург, ул. Ленина, д. 5"})
    appeal = org.appeal(channel=Channel.PAPER)
    message = reply(org.anna, appeal, body_text="Ответ письмом.")
    letter = PaperLetter.objects.get(message=message)
    assert letter.postcode == "620014"
    assert "ул. Ленина" in letter.address and letter.addressee == org.ivan.name
    assert letter.phone  # the client's phone


def test_the_address_is_prefilled_from_the_client_and_can_be_saved_back(org: Org) -> None:
    assert address_of(org.ivan).postcode == ""
    reply_by_post(org.anna, org.appeal(), ADDRESS, body_text="Ответ", save_to_client=True)
    org.ivan.refresh_from_db()
    assert org.ivan.postal_address.startswith("620014, Свердловская обл.")
    again = address_of(org.ivan)
    assert again.postcode == "620014" and "ул. Ленина" in again.address
    assert again.addressee == org.ivan.name and again.phone.endswith("67-89")


def test_only_those_who_see_the_appeal_see_its_letter(org: Org) -> None:
    letter = paper_reply(org)
    assert visible_letters(org.anna).filter(pk=letter.pk).exists()  # the author
    assert visible_letters(org.sergey).filter(pk=letter.pk).exists()  # supervises the queue
    assert visible_letters(org.dina).filter(pk=letter.pk).exists()  # dispatcher, sees all
    assert not visible_letters(org.boris).filter(pk=letter.pk).exists()  # support queue
    assert not visible_letters(org.kira).exists()  # compliance does not handle post
    with pytest.raises(NotFound):
        service.get_letter(org.boris, letter.pk)
    with pytest.raises(NotFound):
        update_letter(org.boris, letter.pk, {"weight_g": 30})


def test_a_typed_in_tracking_number_failing_its_check_digit_is_kept_with_a_warning(org: Org) -> None:
    letter = paper_reply(org)
    saved = update_letter(org.anna, letter.pk, {"tracking_number": "115127 (80) 15138 4", "weight_g": 31})
    assert saved.tracking_number == "11512780151384" and saved.weight_g == 31
    assert "11512780151384" in saved.tracking_warning
    fixed = update_letter(org.anna, letter.pk, {"tracking_number": "11512780151385"})
    assert fixed.tracking_warning == ""
    with pytest.raises(InvalidInput):
        update_letter(org.anna, letter.pk, {"tracking_number": "12345"})
    other = paper_reply(org)
    with pytest.raises(Conflict):
        update_letter(org.anna, other.pk, {"tracking_number": "11512780151385"})
    with pytest.raises(InvalidInput):
        update_letter(org.anna, letter.pk, {"postcode": "1234"})


def test_compliance_cannot_reply_by_post(org: Org) -> None:
    with pytest.raises(PermissionDenied):
        reply_by_post(org.kira, org.appeal(), ADDRESS, body_text="Ответ")
    assert not Event.objects.filter(kind=EventKind.REPLY_SENT).exists()


def test_the_demo_leaves_a_few_letters_waiting(org: Org) -> None:
    from okno.appeals.services import assign, change_status
    from okno.core.demo.post import setup_post

    update_client(org.adam, org.ivan, {"postal_address": "620014, г. Екатеринбург, ул. Ленина, д. 5"})
    for _ in range(2):
        appeal = org.appeal()
        assign(org.anna, appeal, org.anna)
        change_status(org.anna, appeal, Status.IN_WORK)
    assert setup_post() == 2
    assert set(PaperLetter.objects.values_list("status", flat=True)) == {LetterStatus.TO_PRINT}
