"""The organisation's post settings (administrators only)."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.accounts.services import require_admin
from okno.channels.post import tracking
from okno.channels.post.models import PostSettings
from okno.core.errors import InvalidInput

EDITABLE = (
    "org_name",
    "org_address",
    "org_requisites",
    "signer_title",
    "sender_name",
    "sender_address",
    "sender_postcode",
    "office_postcode",
    "office_name",
    "mail_kind",
    "mail_class",
    "payer",
    "payment_method",
    "default_weight_g",
    "default_postage",
    "assign_tracking",
    "serial_from",
    "serial_to",
    "month_code",
)


def update_settings(actor: User, changes: dict[str, Any]) -> PostSettings:
    require_admin(actor)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    for field in ("sender_postcode", "office_postcode"):
        value = (changes.get(field) or "").strip()
        if field in changes and value and not tracking.POSTCODE_RE.match(value):
            raise InvalidInput(_("The postcode must be 6 digits."), field=field)
    month = (changes.get("month_code") or "").strip()
    if month and not re.fullmatch(r"[0-9]{2}", month):
        raise InvalidInput(_("The month code is two digits."), field="month_code")
    with transaction.atomic():
        conf = PostSettings.load()
        conf = PostSettings.objects.select_for_update().get(pk=conf.pk)
        for field, value in changes.items():
            setattr(conf, field, value.strip() if isinstance(value, str) else value)
        if not 0 <= conf.serial_from <= conf.serial_to <= 99999:
            raise InvalidInput(_("Serials run from 0 to 99999, the first not above the last."), field="serial_to")
        if conf.default_weight_g < 1:
            raise InvalidInput(_("Enter the weight in grams."), field="default_weight_g")
        conf.full_clean(exclude=["serial_month", "next_serial"])
        conf.save()
    return conf
