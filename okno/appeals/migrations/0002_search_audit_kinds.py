"""What the ORM cannot say: the full-text index for each database, the database's
refusal to change or delete events, and the kinds of appeal Okno ships with."""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE appeals_search_fts USING fts5(
        document, content='appeals_appealsearch', content_rowid='appeal_id',
        tokenize='unicode61 remove_diacritics 0')""",
    """CREATE TRIGGER appeals_search_ai AFTER INSERT ON appeals_appealsearch BEGIN
        INSERT INTO appeals_search_fts(rowid, document) VALUES (new.appeal_id, new.document); END""",
    """CREATE TRIGGER appeals_search_ad AFTER DELETE ON appeals_appealsearch BEGIN
        INSERT INTO appeals_search_fts(appeals_search_fts, rowid, document)
        VALUES ('delete', old.appeal_id, old.document); END""",
    """CREATE TRIGGER appeals_search_au AFTER UPDATE ON appeals_appealsearch BEGIN
        INSERT INTO appeals_search_fts(appeals_search_fts, rowid, document)
        VALUES ('delete', old.appeal_id, old.document);
        INSERT INTO appeals_search_fts(rowid, document) VALUES (new.appeal_id, new.document); END""",
    """CREATE TRIGGER appeals_event_no_update BEFORE UPDATE ON appeals_event BEGIN
        SELECT RAISE(ABORT, 'appeal events are append-only'); END""",
    # No DELETE trigger on SQLite: Django's flush (tests, `manage.py flush`) deletes
    # tables in no fixed order. Deletion is refused by the model and its queryset;
    # PostgreSQL refuses it in the database too.
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS appeals_event_no_update",
    "DROP TRIGGER IF EXISTS appeals_search_au",
    "DROP TRIGGER IF EXISTS appeals_search_ad",
    "DROP TRIGGER IF EXISTS appeals_search_ai",
    "DROP TABLE IF EXISTS appeals_search_fts",
]
POSTGRES_FORWARD = [
    "CREATE INDEX appeals_search_gin ON appeals_appealsearch USING gin (to_tsvector('simple', document))",
    """CREATE FUNCTION appeals_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- An event goes only together with its appeal (which nothing in Okno deletes).
        IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM appeals_appeal WHERE id = OLD.appeal_id) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'appeal events are append-only' USING ERRCODE = 'integrity_constraint_violation';
    END $$""",
    """CREATE TRIGGER appeals_event_append_only BEFORE UPDATE OR DELETE ON appeals_event
        FOR EACH ROW EXECUTE FUNCTION appeals_event_append_only()""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS appeals_event_append_only ON appeals_event",
    "DROP FUNCTION IF EXISTS appeals_event_append_only()",
    "DROP INDEX IF EXISTS appeals_search_gin",
]

KINDS = [
    ("complaint", "Жалоба", "Complaint"),
    ("claim", "Претензия", "Claim"),
    ("warranty_claim", "Рекламация", "Warranty claim"),
    ("request", "Заявка", "Request"),
    ("consultation", "Консультация", "Consultation"),
    ("gratitude", "Благодарность", "Gratitude"),
    ("other", "Другое", "Other"),
]


def forward_sql(apps, schema_editor):
    statements = POSTGRES_FORWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_FORWARD
    for statement in statements:
        schema_editor.execute(statement)


def backward_sql(apps, schema_editor):
    statements = POSTGRES_BACKWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_BACKWARD
    for statement in statements:
        schema_editor.execute(statement)


def add_kinds(apps, schema_editor):
    Kind = apps.get_model("appeals", "Kind")
    for position, (code, name, name_en) in enumerate(KINDS):
        Kind.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "position": position})


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial")]

    operations = [
        migrations.RunPython(forward_sql, backward_sql),
        migrations.RunPython(add_kinds, migrations.RunPython.noop),
    ]
