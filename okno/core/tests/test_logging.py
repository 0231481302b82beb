"""No personal data reaches the log, even from exceptions raised deep down."""

import logging

from okno.core.logging import RedactPersonalData, redact


def test_emails_and_phones_are_masked_numbers_and_years_are_not():
    line = "from ivan.petrov@mail.ru tel +7 (912) 345-67-89 appeal 2026-000123 id 42"
    assert redact(line) == "from <email> tel <phone> appeal 2026-000123 id 42"


def test_timings_ids_and_short_numbers_survive():
    for line in ("POST /api/v1/appeals 201 12.345ms user=12", "took 1234567.8 ms", "id 123456789", "2026-000123"):
        assert redact(line) == line


def test_phones_in_the_usual_writings_are_masked():
    for phone in ("89123456789", "8 912 345 67 89", "+7-912-345-67-89", "+49 30 1234567"):
        assert redact(f"call {phone} now") == "call <phone> now"


def test_the_filter_masks_arguments_and_tracebacks():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "duplicate %s", ("maria@example.ru",), None)
    try:
        raise ValueError("Key (normalized)=(maria@example.ru) already exists")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    RedactPersonalData().filter(record)
    assert record.getMessage() == "duplicate <email>"
    assert "maria" not in record.exc_text and "<email>" in record.exc_text


def test_the_request_log_leaves_out_query_strings(org, client, caplog):
    client.force_login(org.anna)
    with caplog.at_level(logging.INFO, logger="okno.request"):
        client.get("/admin/?q=Иванов+ivan@example.ru")
    lines = [r.getMessage() for r in caplog.records if r.name == "okno.request"]
    assert lines and all("Иванов" not in line and "example" not in line and "?" not in line for line in lines)
    assert f"user={org.anna.pk}" in lines[0]


def test_dates_and_times_in_a_log_line_stay_readable() -> None:
    line = "Huey consumer started with 2 thread, PID 26165 at 2026-11-24 08:36:12.157957"
    assert redact(line) == line
    assert redact("call +7 912 345-67-89 at 2026-11-24") == "call <phone> at 2026-11-24"
