"""Deadline policies of the demo: the shipped law presets, switched on for the kinds and categories each organisation needs."""

from __future__ import annotations

from dataclasses import dataclass

from okno.appeals.models import Category, Kind
from okno.core.demo.bank import BANK
from okno.deadlines.models import DeadlinePolicy
from okno.deadlines.presets import load_presets
from okno.deadlines.services import policies

DEMANDS = ("claim", "warranty_claim", "complaint")
BANK_TOPICS = tuple(c.code for c in BANK.categories)
# A personal-data request category, should the bank's reference data ever have one.
PERSONAL_DATA = ("bank-personal-data", "bank-service-personal-data")


@dataclass(frozen=True)
class Use:
    """Switch ``preset`` on for these kinds and categories (empty: any)."""

    preset: str
    kinds: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


USES = (
    # Bank: a disputed card operation has 30 days (161-FZ) whatever kind it was registered as;
    # other complaints and claims 15 working days (442-FZ); everything else of the bank the example SLA.
    Use("fz161-card-dispute", categories=("bank-cards-disputes",)),
    Use("fz152-pd-request", categories=PERSONAL_DATA),
    Use("fz442-financial", kinds=("complaint", "claim"), categories=BANK_TOPICS),
    Use("sla-example", categories=BANK_TOPICS),
    # ТермоЛайн: consumer-protection terms for demands about faulty, damaged or returned goods.
    Use("zozpp-20-repair", kinds=DEMANDS, categories=("clim-ac", "clim-heat", "clim-vent")),
    Use("zozpp-21-replacement", kinds=DEMANDS, categories=("clim-delivery",)),
    Use("zozpp-22-money", kinds=DEMANDS, categories=("clim-warranty-refund",)),
)


def setup_deadlines() -> list[str]:
    """Load the presets and switch on those the demo uses, before any appeal is
    registered (so every appeal's clocks start under them). A preset already active
    is left as an administrator set it; one whose categories do not exist stays off.
    Returns the codes switched on."""
    load_presets()
    kinds = {k.code: k for k in Kind.objects.all()}
    categories = {c.code: c for c in Category.objects.all()}
    switched = []
    for use in USES:
        policy = DeadlinePolicy.objects.filter(code=use.preset, is_active=False).first()
        chosen = [categories[code] for code in use.categories if code in categories]
        if policy is None or (use.categories and not chosen):
            continue
        policy.is_active = True
        policy.save(update_fields=["is_active"])
        policy.kinds.set([kinds[code] for code in use.kinds if code in kinds])
        policy.categories.set(chosen)
        switched.append(use.preset)
    policies.forget_on_commit()
    return switched
