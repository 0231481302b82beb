"""The list the inbox and the API share: filters, sorts, paging, counts, timeline."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from okno.appeals import services
from okno.appeals.choices import Channel, Outcome, Priority, Status
from okno.appeals.queries import AppealFilter, list_appeals, open_counts, paginate, timeline
from okno.core.errors import InvalidInput


def numbers(user, flt=None, sort=None):
    return [a.number for a in list_appeals(user, flt, sort)]


def test_the_default_sort_is_most_urgent_then_newest(org):
    low = org.appeal(priority=Priority.LOW)
    old_high = org.appeal(priority=Priority.HIGH, created_at=timezone.now() - timedelta(days=1))
    new_high = org.appeal(priority=Priority.HIGH)
    assert numbers(org.anna) == [new_high.number, old_high.number, low.number]


def test_open_means_new_in_work_and_waiting(org):
    new = org.appeal()
    waiting = services.change_status(org.anna, org.appeal(), Status.WAITING_CLIENT)
    services.close(org.anna, org.appeal(), Outcome.SATISFIED)
    assert set(numbers(org.anna, AppealFilter(status=["open"]))) == {new.number, waiting.number}


def test_filters_combine(org):
    mine = services.assign(org.anna, org.appeal(channel=Channel.MAIL, category=org.card_fees), org.anna)
    org.appeal(channel=Channel.MAIL)
    org.appeal(channel=Channel.PHONE, category=org.card_fees)
    flt = AppealFilter(channel=[Channel.MAIL], category=org.cards.pk, assignee=[org.anna.pk])
    assert numbers(org.anna, flt) == [mine.number]


def test_unassigned_and_no_queue(org):
    unassigned = org.appeal()
    services.assign(org.anna, org.appeal(), org.anna)
    loose = org.appeal(queue=None, actor=org.dina)
    assert numbers(org.anna, AppealFilter(unassigned=True)) == [unassigned.number]
    assert numbers(org.dina, AppealFilter(no_queue=True)) == [loose.number]


def test_overdue_counts_only_open_appeals_past_due(org):
    late = org.appeal(created_at=timezone.now() - timedelta(days=40))
    services.close(org.anna, org.appeal(created_at=timezone.now() - timedelta(days=40)), Outcome.SATISFIED)
    org.appeal()
    assert numbers(org.anna, AppealFilter(overdue=True)) == [late.number]


def test_date_ranges_take_whole_days(org):
    today = timezone.localdate()
    old = org.appeal(created_at=timezone.now() - timedelta(days=10))
    fresh = org.appeal()
    assert numbers(org.anna, AppealFilter(created_from=today)) == [fresh.number]
    assert numbers(org.anna, AppealFilter(created_to=today - timedelta(days=5))) == [old.number]


def test_unknown_status_or_sort_is_invalid_input(org):
    with pytest.raises(InvalidInput):
        list(list_appeals(org.anna, AppealFilter(status=["lost"])))
    with pytest.raises(InvalidInput):
        list_appeals(org.anna, sort="subject")


def test_pages_do_not_overlap_and_count_all(org):
    for _ in range(7):
        org.appeal()
    first, second = paginate(list_appeals(org.anna), 1, 5), paginate(list_appeals(org.anna), 2, 5)
    assert first.total == 7 and first.pages == 2 and first.has_next and not second.has_next
    assert not {a.pk for a in first.items} & {a.pk for a in second.items}
    with pytest.raises(InvalidInput):
        paginate(list_appeals(org.anna), 1, 1000)


def test_a_page_costs_the_same_queries_for_5_or_50_rows(org):
    for _ in range(50):
        org.appeal(category=org.card_fees, product=org.debit_card, assignee=org.anna)

    def cost(size):
        with CaptureQueriesContext(connection) as ctx:
            page = paginate(list_appeals(org.anna), 1, size)
            shown = [(a.kind.display_name, a.category.full_name, a.queue, a.assignee, a.client) for a in page.items]
        assert len(shown) == min(size, 50)
        return len(ctx.captured_queries)

    cost(1)  # the first call also loads the user's queue memberships, once per request
    # The page, its count, and one query per reference table the rows show (kind,
    # category, its parent, queue), however many rows.
    assert cost(5) == cost(50) == 6


def test_open_counts_agree_with_the_lists_they_link_to(org):
    org.appeal()
    services.assign(org.anna, org.appeal(), org.anna)
    services.close(org.anna, org.appeal(), Outcome.SATISFIED)
    org.appeal(queue=org.support, created_at=timezone.now() - timedelta(days=40))
    for user in (org.anna, org.dina):
        counts = open_counts(user)
        assert counts.per_queue == {
            q: list_appeals(user, AppealFilter(status=["open"], queue=[q])).count() for q in counts.per_queue
        }
        assert counts.mine == list_appeals(user, AppealFilter(status=["open"], assignee=[user.pk])).count()
        assert counts.unassigned == list_appeals(user, AppealFilter(status=["open"], unassigned=True)).count()
        assert counts.overdue == list_appeals(user, AppealFilter(overdue=True)).count()
    assert open_counts(org.anna).per_queue == {org.claims.pk: 2}
    dina = open_counts(org.dina)
    assert (dina.per_queue, dina.overdue, dina.unassigned) == ({org.claims.pk: 2, org.support.pk: 1}, 1, 2)


def test_the_timeline_draws_each_message_once_and_merged_messages_too(org):
    org.claims.requires_reply_approval = True
    org.claims.save()
    target, source = org.appeal(), org.appeal()
    reply = services.reply(org.anna, target, body_text="Ответ")
    services.approve_reply(org.sergey, reply)
    inbound = services.add_message(org.anna, source, body_text="Вопрос")
    services.merge(org.anna, source, target)
    entries = timeline(target)
    drawn = [e.message.pk for e in entries if e.message is not None]
    assert drawn.count(reply.pk) == 1 and inbound.pk in drawn
    assert [e.at for e in entries] == sorted(e.at for e in entries)


def test_a_capped_count_stops_counting_but_pages_still_open(org):
    for _ in range(7):
        org.appeal()
    first = paginate(list_appeals(org.anna), 1, 2, count_cap=3)
    assert first.total_is_lower_bound and first.total == 3 and first.has_next
    last = paginate(list_appeals(org.anna), 4, 2, count_cap=3)
    assert len(last.items) == 1 and not last.has_next and last.total == 7
    exact = paginate(list_appeals(org.anna), 1, 2, count_cap=100)
    assert not exact.total_is_lower_bound and exact.total == 7
