"""Fail if the Russian translation is incomplete or not compiled.

1. Every msgid in django.po has a translation and none is fuzzy.
2. django.mo says the same as django.po (someone compiled after editing).
3. If GNU gettext is installed: re-extracting the strings from the code finds no
   msgid missing from django.po (someone ran `make messages`).
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/ru/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")


def parse_po(text: str) -> dict[tuple[str, str], tuple[list[str], bool]]:
    """{(msgctxt, msgid): (msgstr forms, fuzzy)} for a .po file."""
    entries: dict[tuple[str, str], tuple[list[str], bool]] = {}
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if "msgid" not in fields or fields["msgid"] == "":
            continue
        forms = [v for k, v in sorted(fields.items()) if k.startswith("msgstr")]
        entries[(fields.get("msgctxt", ""), fields["msgid"])] = (forms, fuzzy)
    return entries


def unescape(value: str) -> str:
    """A .po string literal's escapes (\\n, \\t, \\", \\\\) undone; any other text as is."""
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), value)


def main() -> int:
    if not PO.exists():
        print(f"missing {PO.relative_to(ROOT)}")
        return 1
    problems: list[str] = []
    entries = parse_po(PO.read_text(encoding="utf-8"))
    for (_ctx, msgid), (forms, fuzzy) in entries.items():
        if fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif not forms or any(form == "" for form in forms):
            problems.append(f"untranslated: {msgid!r}")

    if not MO.exists():
        problems.append("django.mo is missing: run `make messages`")
    else:
        with MO.open("rb") as handle:
            catalog = gettext.GNUTranslations(handle)
        for (ctx, msgid), (forms, fuzzy) in entries.items():
            if fuzzy or not forms or len(forms) > 1:
                continue
            key = f"{unescape(ctx)}\x04{unescape(msgid)}" if ctx else unescape(msgid)
            if catalog._catalog.get(key) != unescape(forms[0]):  # type: ignore[attr-defined]
                problems.append(f"django.mo is stale for {msgid!r}: run `make messages`")
                break

    if shutil.which("xgettext"):
        backup = PO.read_bytes()
        try:
            subprocess.run(
                [sys.executable, "manage.py", "makemessages", "-l", "ru", "--no-location", "--no-obsolete",
                 "-i", ".venv/*", "-i", "var/*", "-i", "bench/*", "-v", "0"],
                cwd=ROOT, check=True, env={**os.environ},
            )  # fmt: skip
            fresh = parse_po(PO.read_text(encoding="utf-8"))
        finally:
            PO.write_bytes(backup)
        missing = sorted(msgid for (ctx, msgid) in fresh if (ctx, msgid) not in entries)
        problems += [f"not in django.po (run `make messages`): {msgid!r}" for msgid in missing]
    else:
        print("note: GNU gettext not installed; skipped the check for new strings")

    for problem in problems[:50]:
        print(problem)
    if problems:
        print(f"{len(problems)} translation problem(s)")
        return 1
    print(f"translations complete: {len(entries)} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
