"""The demo shows deadlines working: the law presets are switched on for the bank's
and the manufacturer's kinds and categories before any appeal is registered, so
every appeal's clocks run under the policy that fits it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from okno.appeals.models import Appeal
from okno.deadlines.models import AppealClock, DeadlinePolicy
from okno.deadlines.presets import PRESETS

DEMANDS = ("claim", "warranty_claim", "complaint")


@pytest.fixture
def demo(db, settings, tmp_path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    out = io.StringIO()
    call_command("demo", appeals=60, seed=5, stdout=out, stderr=out)


def answer_policy(appeal: Appeal) -> str | None:
    clock = AppealClock.objects.filter(appeal=appeal, clock="answer").select_related("policy").order_by("-id").first()
    return clock.policy.code if clock is not None and clock.policy is not None else None


def test_the_demo_switches_on_the_presets_it_needs(demo) -> None:
    assert DeadlinePolicy.objects.filter(is_preset=True).count() == len(PRESETS)
    active = set(DeadlinePolicy.objects.filter(is_active=True).values_list("code", flat=True))
    assert active == {
        "fz161-card-dispute",
        "fz442-financial",
        "sla-example",
        "zozpp-20-repair",
        "zozpp-21-replacement",
        "zozpp-22-money",
    }  # no personal-data category in the demo: 152-FZ stays off
    fz442 = DeadlinePolicy.objects.get(code="fz442-financial")
    assert set(fz442.kinds.values_list("code", flat=True)) == {"complaint", "claim"}
    assert set(fz442.categories.values_list("code", flat=True)) >= {"bank-cards", "bank-loans"}
    refund = DeadlinePolicy.objects.get(code="zozpp-22-money")
    assert list(refund.categories.values_list("code", flat=True)) == ["clim-warranty-refund"]


def test_demo_appeals_run_under_the_policy_that_fits_them(demo) -> None:
    appeals = Appeal.objects.filter(parent__isnull=True).select_related("kind", "category__parent")
    seen = set()
    for appeal in appeals:
        code = appeal.category.code if appeal.category else ""
        top = appeal.category.parent.code if appeal.category and appeal.category.parent else code
        policy = answer_policy(appeal)
        if policy is None and not AppealClock.objects.filter(appeal=appeal).exists():
            continue  # merged before registration finished
        if code == "bank-cards-disputes":
            expected = "fz161-card-dispute"
        elif top.startswith("bank-"):
            expected = "fz442-financial" if appeal.kind.code in ("complaint", "claim") else "sla-example"
        elif top in ("clim-ac", "clim-heat", "clim-vent") and appeal.kind.code in DEMANDS:
            expected = "zozpp-20-repair"
        elif code == "clim-warranty-refund" and appeal.kind.code in DEMANDS:
            expected = "zozpp-22-money"
        else:
            continue
        assert policy == expected, (appeal.number, code, appeal.kind.code)
        seen.add(expected)
    assert {"fz442-financial", "sla-example", "zozpp-20-repair"} <= seen
