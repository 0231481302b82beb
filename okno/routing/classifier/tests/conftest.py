"""What the classifier's tests share: the CFPB complaints (real, public domain,
read from the shared data directory; nothing is copied into the repository), a
slice of them as a CSV, and closed appeals made of them through the services."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from okno.accounts.models import User
from okno.appeals.choices import Channel, Outcome
from okno.appeals.models import Appeal, Category
from okno.appeals.services import InboundContent, Registration, close, register_appeals

COMPLAINTS = Path(
    os.environ.get("OKNO_COMPLAINTS_CSV", "/work/shared/data/complaints/cfpb_4class_product_narratives.csv")
)
TEXT, LABEL = "Consumer complaint narrative", "Product"
PRODUCTS = ["Credit reporting, repair, or other", "Debt collection", "Mortgage", "Consumer Loan"]


@cache
def complaints() -> tuple[tuple[str, str], ...]:
    """All 2,085 (label, text) rows, in the file's order."""
    with COMPLAINTS.open(encoding="utf-8", newline="") as handle:
        rows = tuple((row[LABEL], row[TEXT]) for row in csv.DictReader(handle))
    assert len(rows) == 2085, f"the CFPB complaints are missing at {COMPLAINTS}"
    return rows


def sample(step: int = 5, offset: int = 0) -> list[tuple[str, str]]:
    """Every ``step``-th complaint: 417 rows for step 5, the classes in the file's proportions."""
    return list(complaints()[offset::step])


def write_csv(path: Path, rows: list[tuple[str, str]], *, label_column: str = LABEL) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([label_column, TEXT])
        writer.writerows(rows)
    return path


@pytest.fixture
def complaints_csv(tmp_path: Path) -> Path:
    """417 CFPB complaints (every fifth) as a CSV export."""
    return write_csv(tmp_path / "complaints.csv", sample())


@pytest.fixture(autouse=True)
def _no_loaded_models() -> Iterator[None]:
    """A model loaded for one test's database must not suggest in the next."""
    from okno.routing.classifier.services import predict

    predict.reset()
    yield
    predict.reset()


def product_categories() -> dict[str, Category]:
    """The four CFPB products as categories (code, Russian and English names)."""
    russian = ["Кредитная история", "Взыскание долгов", "Ипотека", "Потребительский кредит"]
    codes = ["credit-reporting", "debt-collection", "mortgage", "consumer-loan"]
    return {
        product: Category.objects.get_or_create(code=code, defaults={"name": name, "name_en": product})[0]
        for product, name, code in zip(PRODUCTS, russian, codes, strict=True)
    }


def closed_appeals(actor: User, rows: list[tuple[str, str]], categories: dict[str, Category]) -> list[Appeal]:
    """Appeals registered from the complaints (as mail from the client, with the
    product as category) and closed, through the appeal services."""
    items = [
        Registration(
            subject=f"Complaint {i}",
            channel=Channel.MAIL,
            category=categories[label],
            content=InboundContent(body_text=text),
        )
        for i, (label, text) in enumerate(rows)
    ]
    appeals = []
    for start in range(0, len(items), 200):
        appeals.extend(register_appeals(actor, items[start : start + 200]))
    return [close(actor, appeal, Outcome.EXPLAINED) for appeal in appeals]


def train_csv(tmp_path: Path, rows: list[tuple[str, str]] | None = None, *, activate: bool | None = False, **options):  # type: ignore[no-untyped-def]
    """A model of the categories trained on complaints (default: every tenth), stored."""
    from okno.routing.classifier.services import learning

    product_categories()
    path = write_csv(tmp_path / f"train-{len(list(tmp_path.iterdir()))}.csv", rows if rows is not None else sample(10))
    options.setdefault("minimum", 10)
    return learning.train_from_csv(
        None, "category", path, text_column=TEXT, label_column=LABEL, activate=activate, **options
    ).model
