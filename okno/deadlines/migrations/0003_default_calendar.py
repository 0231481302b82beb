"""Ship the default calendar, "Russia (Moscow time)", with the official calendar for
2013–2026 (data/xmlcalendar_ru/) as overrides where the ``holidays`` package differs."""

from django.db import migrations


def install(apps, schema_editor):
    from okno.deadlines.calendar_import import install_default_calendar

    install_default_calendar(apps.get_model("deadlines", "Calendar"), apps.get_model("deadlines", "CalendarDay"))


def remove(apps, schema_editor):
    apps.get_model("deadlines", "Calendar").objects.filter(code="ru").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0002_policies_and_clocks"),
    ]

    operations = [
        migrations.RunPython(install, remove),
    ]
