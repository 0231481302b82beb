"""The event log is append-only: no code path, and no SQL, changes an event."""

import pytest
from django.db import IntegrityError, connection, transaction

from okno.appeals.models import Event
from okno.appeals.models.event import ImmutableEvent


def test_events_cannot_be_changed_or_deleted_through_the_orm(org):
    event = org.appeal().events.get()
    event.comment = "подчистил"
    with pytest.raises(ImmutableEvent):
        event.save()
    with pytest.raises(ImmutableEvent):
        event.delete()
    with pytest.raises(ImmutableEvent):
        Event.objects.filter(pk=event.pk).update(comment="x")
    with pytest.raises(ImmutableEvent):
        Event.objects.filter(pk=event.pk).delete()


def test_the_database_refuses_to_update_an_event(org):
    event = org.appeal().events.get()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE appeals_event SET actor_label = 'кто-то другой' WHERE id = %s", [event.pk])
    assert Event.objects.get(pk=event.pk).actor_label == org.anna.display_name


def test_the_database_refuses_to_delete_an_event_where_it_can(org):
    """PostgreSQL refuses in the database. SQLite cannot (Django's flush deletes
    tables in no fixed order), so there the model layer above is the guard."""
    event = org.appeal().events.get()
    if connection.vendor != "postgresql":
        with pytest.raises(ImmutableEvent):
            event.delete()
        return
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM appeals_event WHERE id = %s", [event.pk])


def test_every_change_leaves_who_when_and_what(org):
    from okno.appeals import services
    from okno.appeals.choices import Priority

    appeal = org.appeal()
    services.update_fields(org.sergey, appeal, {"priority": Priority.CRITICAL})
    event = appeal.events.get(field="priority")
    assert event.actor == org.sergey and event.actor_label == "Орлов С."
    assert event.before == {"value": "normal", "label": "normal"}
    assert event.after == {"value": "critical", "label": "critical"}
    assert event.created_at is not None
