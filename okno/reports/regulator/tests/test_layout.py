"""Regulator report templates: the sandbox refuses other template files, unknown
libraries and the debug tag; errors name their line; the workbook's sections are
checked; only administrators change templates; every change is a version; the
installer ships the Bank of Russia template once."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from okno.core.errors import InvalidInput, PermissionDenied
from okno.reports.regulator.defaults import DEFAULT_CODE, default_values
from okno.reports.regulator.models import RegulatorReportTemplate
from okno.reports.regulator.services import layout
from okno.testing import Org


def values(**changes: Any) -> dict[str, Any]:
    return {**default_values(), "name": "Тест", **changes}


@pytest.mark.parametrize(
    ("source", "line", "says"),
    [
        ("<p>\n{% include 'pdf/base.html' %}", 2, "'include'"),
        ("{% extends 'pdf/base.html' %}", 1, "'extends'"),
        ("{% load static %}\n{% static 'x.css' %}", 1, "Only these tag libraries may be loaded: i18n, humanize."),
        ("<p>\n\n{% debug %}", 3, "'debug'"),
        ("{% block body %}{% endblock %}", 1, "'block'"),
        ("{% url 'regulator:report' %}", 1, "'url'"),
        ("{% for x in %}", 1, "'for' statements should have at least four words"),
        ("{{ x|no_such_filter }}", 1, "Invalid filter: 'no_such_filter'"),
    ],
)
def test_the_sandbox_refuses_with_the_line(source: str, line: int, says: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        layout.compile_body(source)
    assert refused.value.field == "body_source"
    assert refused.value.message.startswith(f"Line {line}: ")
    assert says in refused.value.message


def test_the_sandbox_allows_the_i18n_and_humanize_libraries() -> None:
    template = layout.compile_body("{% load i18n humanize %}{% translate 'Total' %}: {{ n|intcomma }}")
    assert template is not None


def test_a_render_cannot_change_what_the_next_render_sees(db: Any) -> None:
    report = layout.builtin_layout()
    report.body_source = "{{ channels.clear }}{{ channels|length }}"
    context = {"channels": [{"name": "E-mail"}]}
    assert str(layout.render_body(report, context)) == "None0"
    assert context["channels"] == [{"name": "E-mail"}]
    assert str(layout.render_body(report, context)) == "None0"


def test_text_is_escaped_in_the_body(db: Any) -> None:
    report = layout.builtin_layout()
    report.body_source = "<td>{{ name }}</td>"
    assert str(layout.render_body(report, {"name": "<script>x</script>"})) == "<td>&lt;script&gt;x&lt;/script&gt;</td>"


@pytest.mark.parametrize(
    ("sections", "says"),
    [
        ([], "non-empty list"),
        ("channels", "non-empty list"),
        ([{"section": "weather"}], "Section 1: “section” must be one of"),
        ([{"section": "channels"}, {"section": "topics", "sheet": "a/b"}], "Section 2: a sheet name cannot contain"),
        ([{"section": "channels", "sheet": "x" * 32}], "at most 31 characters"),
        ([{"section": "channels", "colour": "red"}], "unknown keys: colour"),
        ([42], "must be an object"),
    ],
)
def test_workbook_sections_are_checked(sections: Any, says: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        layout.validate_sections(sections)
    assert says in refused.value.message and refused.value.field == "sections"


def test_a_missing_title_and_sheet_come_from_the_section() -> None:
    assert layout.validate_sections([{"section": "channels", "title": "  По  каналам "}]) == [
        {"section": "channels", "title": "По каналам", "sheet": "По каналам"}
    ]
    assert layout.validate_sections([{"section": "outcomes"}]) == [
        {"section": "outcomes", "title": "Outcomes", "sheet": "Outcomes"}
    ]


def test_a_style_sheet_cannot_close_its_element() -> None:
    with pytest.raises(InvalidInput) as refused:
        layout.validate_style("p { color: red } </style><p>")
    assert refused.value.field == "style"


@pytest.mark.parametrize("who", ["kira", "sergey", "anna"])
def test_only_administrators_change_templates(org: Org, who: str) -> None:
    with pytest.raises(PermissionDenied):
        layout.create_template(getattr(org, who), values())


def test_every_change_of_the_layout_is_a_version_and_switching_off_is_not(org: Org) -> None:
    template = layout.create_template(org.adam, values(body_source="<p>1</p>"))
    assert (template.version, template.versions.count()) == (1, 1)
    template = layout.update_template(org.adam, template, {"body_source": "<p>2</p>"})
    template = layout.update_template(org.adam, template, {"body_source": "<p>2</p>"})  # nothing changed
    assert (template.version, template.versions.count()) == (2, 2)
    template = layout.archive_template(org.adam, template)
    assert not template.is_active and template.version == 2
    assert [v.body_source for v in template.versions.order_by("number")] == ["<p>1</p>", "<p>2</p>"]
    assert layout.layout_of(template.pk, 1).body_source == "<p>1</p>"
    with pytest.raises(InvalidInput):
        layout.update_template(org.adam, template, {"body_source": "{% include 'x' %}"})
    assert RegulatorReportTemplate.objects.get(pk=template.pk).version == 2


def test_without_templates_the_shipped_layout_is_used_and_setup_adds_it_once(
    db: Any, settings: Any, capsys: Any
) -> None:
    assert layout.layout_of(None).regulator == "Банк России"
    settings.DEBUG = True  # no collectstatic
    call_command("setup", "--no-demo")
    assert "Regulator report templates: 1 added." in capsys.readouterr().out
    call_command("setup", "--no-demo")
    assert "Regulator report templates: 0 added." in capsys.readouterr().out
    shipped = RegulatorReportTemplate.objects.get(code=DEFAULT_CODE)
    assert shipped.is_preset and layout.default_template() == shipped
    assert layout.layout_of(None).template_id == shipped.pk  # type: ignore[attr-defined]
