"""The classifier at registration, end to end: every new appeal gets the active
model's suggestion with its confidence; the shipped rule applies it in a queue whose
threshold it reaches, and the event says so."""

from __future__ import annotations

from okno.appeals.choices import Channel, EventKind
from okno.appeals.models import Event
from okno.appeals.services import InboundContent, register_appeal
from okno.routing.classifier.services import thresholds
from okno.routing.models import AppealRouting
from okno.routing.services.presets import load_presets

from .conftest import product_categories, train_csv

DEBT = "A debt collector keeps calling me at work about a debt that is not mine and threatens to sue."


def register(org, queue):  # type: ignore[no-untyped-def]
    return register_appeal(
        org.dina,
        subject="Collection calls",
        channel=Channel.MAIL,
        kind=org.complaint,
        queue=queue,
        client=org.ivan,
        content=InboundContent(body_text=DEBT),
    )


def test_a_new_appeal_carries_the_suggestion_and_the_threshold_decides_if_it_is_applied(db, org, tmp_path):
    model = train_csv(tmp_path, activate=True)
    debt = product_categories()["Debt collection"]
    load_presets()
    thresholds.set_threshold(org.adam, org.claims, 0.5)

    applied = register(org, org.claims)
    suggestion = AppealRouting.objects.get(appeal=applied).suggestions["category"]
    assert suggestion["value"] == debt.pk and suggestion["model"] == model.version
    assert 0.5 <= suggestion["confidence"] <= 1
    applied.refresh_from_db()
    assert applied.category_id == debt.pk
    routed = Event.objects.filter(appeal=applied, kind=EventKind.ROUTED).values_list("comment", flat=True)
    assert any(f"model v{model.version}" in comment for comment in routed), list(routed)

    # The support queue has no threshold: suggested, not applied.
    suggested = register(org, org.support)
    assert AppealRouting.objects.get(appeal=suggested).suggestions["category"]["value"] == debt.pk
    suggested.refresh_from_db()
    assert suggested.category_id is None
