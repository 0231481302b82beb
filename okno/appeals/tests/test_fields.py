"""Assignment, field changes, tags and links."""

import pytest

from okno.appeals import services
from okno.appeals.choices import EventKind, LinkKind, Priority
from okno.core.errors import Conflict, InvalidInput


def test_an_agent_can_take_an_appeal_and_hand_it_to_a_queue_member(org):
    appeal = services.assign(org.anna, org.appeal(), org.anna)
    assert appeal.assignee == org.anna
    services.assign(org.anna, appeal, org.sergey)
    event = appeal.events.filter(kind=EventKind.ASSIGNED).last()
    assert (event.before["value"], event.after["value"]) == (org.anna.pk, org.sergey.pk)


def test_an_agent_cannot_hand_work_outside_the_queue_but_a_dispatcher_can(org):
    appeal = org.appeal()
    with pytest.raises(InvalidInput):
        services.assign(org.anna, appeal, org.boris)
    assert services.assign(org.dina, appeal, org.boris).assignee == org.boris


def test_nobody_can_be_given_work_who_cannot_do_it(org):
    with pytest.raises(InvalidInput):
        services.assign(org.dina, org.appeal(), org.kira)


def test_assigning_the_same_person_again_changes_nothing(org):
    appeal = services.assign(org.anna, org.appeal(), org.anna)
    services.assign(org.anna, appeal, org.anna)
    assert appeal.events.filter(kind=EventKind.ASSIGNED).count() == 1


def test_the_assignee_sees_their_appeal_even_in_a_foreign_queue(org):
    appeal = services.assign(org.dina, org.appeal(), org.boris)
    services.add_note(org.boris, appeal, body_text="Беру")


def test_each_changed_field_is_one_event(org):
    appeal = org.appeal()
    services.update_fields(
        org.anna,
        appeal,
        {"priority": Priority.HIGH, "category": org.card_fees, "product": org.debit_card, "subject": appeal.subject},
    )
    fields = set(appeal.events.filter(kind=EventKind.FIELD_CHANGED).values_list("field", flat=True))
    assert fields == {"priority", "category", "product"}
    appeal.refresh_from_db()
    assert appeal.priority_rank == 3


def test_moving_to_another_queue_unassigns_a_non_member(org):
    appeal = services.assign(org.anna, org.appeal(), org.anna)
    services.update_fields(org.anna, appeal, {"queue": org.support})
    appeal.refresh_from_db()
    assert appeal.queue == org.support and appeal.assignee is None


def test_unknown_fields_are_refused(org):
    with pytest.raises(InvalidInput):
        services.update_fields(org.anna, org.appeal(), {"status": "closed"})


def test_tags_change_as_a_whole(org):
    appeal = org.appeal(tags=["суд"])
    services.update_fields(org.anna, appeal, {"tags": ["суд", "ЦБ"]})
    assert sorted(appeal.tags.values_list("name", flat=True)) == ["ЦБ", "суд"]
    assert appeal.events.filter(kind=EventKind.TAGS_CHANGED).count() == 1


def test_links_are_read_from_both_ends_and_made_once(org):
    a, b = org.appeal(), org.appeal()
    services.link(org.anna, a, b, LinkKind.REPEAT)
    with pytest.raises(Conflict):
        services.link(org.anna, b, a)
    assert a.events.filter(kind=EventKind.LINKED, related_appeal=b).exists()
    assert b.events.filter(kind=EventKind.LINKED, related_appeal=a).exists()
    services.unlink(org.anna, b, a)
    with pytest.raises(Conflict):
        services.unlink(org.anna, a, b)


def test_a_subcase_inherits_client_and_product_and_is_noted_on_the_parent(org):
    parent = org.appeal(product=org.debit_card)
    sub = services.create_subcase(org.anna, parent, subject="Анализ причины", queue=org.support)
    assert (sub.parent, sub.client, sub.product, sub.queue) == (parent, org.ivan, org.debit_card, org.support)
    assert parent.events.filter(kind=EventKind.SUBCASE_CREATED, related_appeal=sub).exists()
