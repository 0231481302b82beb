"""Who sees which appeals: the rule every page, API call and live stream uses."""

import pytest

from okno.appeals import access, services
from okno.appeals.access import Action


@pytest.fixture
def appeals(org):
    return {
        "claims": org.appeal(),
        "support": org.appeal(queue=org.support),
        "no_queue": org.appeal(queue=None, actor=org.dina),
    }


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("anna", {"claims"}),
        ("boris", {"support"}),
        ("spec", {"support"}),
        ("sergey", {"claims"}),
        ("dina", {"claims", "support", "no_queue"}),
        ("kira", {"claims", "support", "no_queue"}),
        ("adam", {"claims", "support", "no_queue"}),
    ],
)
def test_each_role_sees_its_queues_or_everything(org, appeals, person, expected):
    user = getattr(org, person)
    visible = set(access.visible_appeals(user).values_list("id", flat=True))
    assert visible == {appeals[name].pk for name in expected}
    for name, appeal in appeals.items():
        assert access.can(user, Action.VIEW, appeal) is (name in expected)


def test_an_appeal_assigned_personally_is_visible_outside_the_queue(org, appeals):
    services.assign(org.dina, appeals["claims"], org.boris)
    assert access.visible_appeals(org.boris).filter(pk=appeals["claims"].pk).exists()


def test_joining_a_queue_shows_its_appeals(org, appeals):
    from okno.queues.models import Membership

    Membership.objects.create(queue=org.support, user=org.anna)
    access.forget_cached_access(org.anna)
    assert access.visible_appeals(org.anna).filter(pk=appeals["support"].pk).exists()


def test_an_inactive_user_sees_nothing_and_may_do_nothing(org, appeals):
    org.anna.is_active = False
    org.anna.save()
    assert not access.visible_appeals(org.anna).exists()
    assert not access.can(org.anna, Action.VIEW, appeals["claims"])


def test_compliance_reads_everything_and_changes_nothing(org, appeals):
    for appeal in appeals.values():
        assert access.can(org.kira, Action.VIEW, appeal)
        assert not access.can(org.kira, Action.WORK, appeal)


def test_approval_belongs_to_supervisors_of_the_queue(org, appeals):
    assert access.can(org.sergey, Action.APPROVE, appeals["claims"])
    assert not access.can(org.anna, Action.APPROVE, appeals["claims"])
    assert not access.can(org.dina, Action.APPROVE, appeals["claims"])
    assert access.can(org.adam, Action.APPROVE, appeals["support"])
