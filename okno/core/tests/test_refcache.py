"""Reference rows are remembered briefly, and a change through the reference
services is seen at once by the process that made it."""

from okno.appeals.services import reference
from okno.core import refcache
from okno.queues.models import Queue


def test_a_change_through_the_services_is_seen_at_once(org):
    assert refcache.get(Queue, pk=org.claims.pk).name == "Претензии"
    from okno.queues.services import update_queue

    update_queue(org.adam, org.claims, {"name": "Претензии и жалобы"})
    assert refcache.get(Queue, pk=org.claims.pk).name == "Претензии и жалобы"


def test_a_change_elsewhere_is_seen_after_the_memory_fades(org, monkeypatch):
    assert refcache.get(Queue, pk=org.claims.pk).is_active
    Queue.objects.filter(pk=org.claims.pk).update(is_active=False)  # another process, say
    assert refcache.get(Queue, pk=org.claims.pk).is_active  # still remembered
    monkeypatch.setattr(refcache, "SECONDS", 0.0)  # as if the 30 s had passed
    assert not refcache.get(Queue, pk=org.claims.pk).is_active


def test_the_default_kind_follows_an_administrators_change(org):
    from okno.appeals.services.validation import default_kind

    assert default_kind() == org.request
    reference.update_kind(org.adam, org.request, {"is_active": False})
    assert default_kind() != org.request
