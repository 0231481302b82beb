"""Filling a translated sentence with values without doubling its final stop.

Russian names end with initials («Морозов А.») and long dates with «г.»
(«2 марта 2026 г.»). A sentence whose value comes right before its own full stop
must not add another one: «… изменил(а) Морозов А.», never «Морозов А..».
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# A value ending with one of these already ends the sentence.
_STOPS = (".", "!", "?", "…")


def fill(template: str, values: Mapping[str, object]) -> str:
    """``template % values``, except that the template's full stop right after a
    value that already ends with a stop is left out."""
    for key, value in values.items():
        if str(value).endswith(_STOPS):
            template = re.sub(rf"(?<!%)(%\({re.escape(key)}\)s)\.", r"\1", template)
    return template % values
