"""The template Okno ships: the Bank of Russia style «Сведения о рассмотрении
обращений». An administrator adapts a copy for another regulator; this text is
what the installer loads and what the page uses while no template exists."""

from __future__ import annotations

from typing import Any

DEFAULT_CODE = "bank-of-russia"
DEFAULT_NAME = "Сведения о рассмотрении обращений (Банк России)"
DEFAULT_REGULATOR = "Банк России"

DEFAULT_STYLE = """\
.header { text-align: center; margin-bottom: 5mm; }
.header .org { font-size: 11pt; font-weight: bold; }
.header .to { text-align: right; font-size: 9pt; margin-bottom: 4mm; }
td.sub { padding-left: 6mm; color: #333; }
tr.total td { font-weight: bold; background: #f4f4f4; }
.late { color: #a00; }
.sign { margin-top: 12mm; }
.sign td { border: none; padding-top: 8mm; }
"""

DEFAULT_BODY = """\
{% load i18n %}
<div class="header">
  <div class="to">В {{ regulator }}</div>
  <div class="org">{{ organisation|default:"Наименование организации" }}</div>
  <h1>Сведения о рассмотрении обращений<br>за {{ period.label }}</h1>
  <div class="muted">Период: с {{ period.date_from|date:"d.m.Y" }} по {{ period.date_to|date:"d.m.Y" }}.
    Сформировано {{ generated_at|date:"d.m.Y H:i" }}.</div>
</div>

<h2>1. Общие сведения</h2>
<table>
  <tr><th>Показатель</th><th class="num">Значение</th></tr>
  <tr><td>Поступило обращений за период</td><td class="num">{{ totals.received }}</td></tr>
  <tr><td class="sub">в том числе перенаправлено Банком России</td><td class="num">{{ totals.forwarded }}</td></tr>
  <tr><td>Рассмотрено (дан ответ) за период</td><td class="num">{{ totals.answered }}</td></tr>
  <tr><td class="sub">в установленный срок</td><td class="num">{{ totals.answered_on_time }}</td></tr>
  <tr><td class="sub">с нарушением срока</td><td class="num">{{ totals.answered_late }}</td></tr>
  <tr><td class="sub">доля ответов в срок, %</td><td class="num">{{ totals.on_time_percent|default_if_none:"—" }}</td></tr>
  <tr><td>Срок истёк в периоде, ответ не дан</td><td class="num">{{ totals.overdue_unanswered }}</td></tr>
  <tr><td>Закрыто с результатом за период</td><td class="num">{{ totals.closed }}</td></tr>
  <tr><td>Медианный срок ответа, дней</td><td class="num">{{ totals.median_answer_days|default_if_none:"—" }}</td></tr>
  <tr><td>Средний срок ответа, дней</td><td class="num">{{ totals.average_answer_days|default_if_none:"—" }}</td></tr>
</table>

<h2>2. Поступившие обращения по каналам поступления</h2>
<table>
  <tr><th>Канал</th><th class="num">Поступило</th><th class="num">из них от Банка России</th></tr>
  {% for row in channels %}<tr><td>{{ row.name }}</td><td class="num">{{ row.count }}</td><td class="num">{{ row.forwarded }}</td></tr>
  {% empty %}<tr><td colspan="3" class="muted">Обращений не поступало.</td></tr>{% endfor %}
  <tr class="total"><td>Итого</td><td class="num">{{ totals.received }}</td><td class="num">{{ totals.forwarded }}</td></tr>
</table>

<h2>3. Поступившие обращения по тематике</h2>
<table>
  <tr><th>Тема (подтема)</th><th class="num">Поступило</th><th class="num">из них от Банка России</th></tr>
  {% for row in topics %}<tr><td>{{ row.name }}</td><td class="num">{{ row.count }}</td><td class="num">{{ row.forwarded }}</td></tr>
  {% for sub in row.children %}<tr><td class="sub">{{ sub.name }}</td><td class="num">{{ sub.count }}</td><td class="num">{{ sub.forwarded }}</td></tr>{% endfor %}
  {% empty %}<tr><td colspan="3" class="muted">Обращений не поступало.</td></tr>{% endfor %}
</table>

<h2>4. Результаты рассмотрения</h2>
<table>
  <tr><th>Результат</th><th class="num">Обращений</th></tr>
  {% for row in outcomes %}<tr><td>{{ row.name }}</td><td class="num">{{ row.count }}</td></tr>{% endfor %}
  <tr class="total"><td>Итого закрыто</td><td class="num">{{ totals.closed }}</td></tr>
</table>

<h2>5. Соблюдение сроков рассмотрения</h2>
<table>
  <tr><th>Режим сроков</th><th>Срок</th><th class="num">Дан ответ</th><th class="num">В срок</th>
      <th class="num">С нарушением</th><th class="num">В срок, %</th><th class="num">Срок истёк, ответа нет</th></tr>
  {% for row in regimes %}<tr><td>{{ row.name }}{% if row.statutory %} <span class="muted">(установлен законом)</span>{% endif %}</td>
    <td>{{ row.term }}</td><td class="num">{{ row.answered }}</td><td class="num">{{ row.on_time }}</td>
    <td class="num{% if row.late %} late{% endif %}">{{ row.late }}</td><td class="num">{{ row.on_time_percent|default_if_none:"—" }}</td>
    <td class="num">{{ row.overdue_unanswered }}</td></tr>
  {% empty %}<tr><td colspan="7" class="muted">Ответов за период нет.</td></tr>{% endfor %}
  <tr class="total"><td colspan="2">Итого</td><td class="num">{{ totals.answered }}</td><td class="num">{{ totals.answered_on_time }}</td>
    <td class="num">{{ totals.answered_late }}</td><td class="num">{{ totals.on_time_percent|default_if_none:"—" }}</td>
    <td class="num">{{ totals.overdue_unanswered }}</td></tr>
</table>

<h2>6. Обращения, перенаправленные Банком России</h2>
<p>Поступило {{ totals.forwarded }}; дан ответ {{ totals.forwarded_answered }}, из них в срок {{ totals.forwarded_on_time }}.</p>
{% if forwarded %}
<table>
  <tr><th>№</th><th>Номер обращения</th><th>Исх. № регулятора</th><th>Дата письма</th><th>Поступило</th>
      <th>Тема</th><th>Срок ответа</th><th>Ответ дан</th><th>Соблюдение срока</th></tr>
  {% for row in forwarded %}<tr><td class="num">{{ forloop.counter }}</td><td>{{ row.number }}</td><td>{{ row.reference|default:"—" }}</td>
    <td>{{ row.letter_date|date:"d.m.Y"|default:"—" }}</td><td>{{ row.received|date:"d.m.Y" }}</td><td>{{ row.category|default:"—" }}</td>
    <td>{{ row.due_at|date:"d.m.Y"|default:"—" }}</td><td>{{ row.answered_at|date:"d.m.Y"|default:"—" }}</td>
    <td{% if row.on_time is False or row.overdue %} class="late"{% endif %}>{% if row.on_time %}в срок{% elif row.on_time is False %}с нарушением{% elif row.overdue %}срок истёк{% else %}на рассмотрении{% endif %}</td></tr>
  {% endfor %}
</table>
{% if forwarded_more %}<p class="muted">… и ещё {{ forwarded_more }} (полный перечень — в файле XLSX).</p>{% endif %}
{% endif %}

<table class="sign">
  <tr><td>Ответственное лицо: ____________________</td><td>Подпись: ____________</td><td>Дата: ____________</td></tr>
</table>
"""

DEFAULT_SECTIONS: list[dict[str, Any]] = [
    {"section": "summary", "title": "Общие сведения", "sheet": "Сводка"},
    {"section": "channels", "title": "Поступившие обращения по каналам поступления", "sheet": "Каналы"},
    {"section": "topics", "title": "Поступившие обращения по тематике", "sheet": "Тематика"},
    {"section": "outcomes", "title": "Результаты рассмотрения", "sheet": "Результаты"},
    {"section": "deadlines", "title": "Соблюдение сроков рассмотрения", "sheet": "Сроки"},
    {"section": "forwarded", "title": "Обращения, перенаправленные Банком России", "sheet": "От регулятора"},
]


def default_values() -> dict[str, Any]:
    return {
        "name": DEFAULT_NAME,
        "regulator": DEFAULT_REGULATOR,
        "body_source": DEFAULT_BODY,
        "style": DEFAULT_STYLE,
        "landscape": False,
        "sections": [dict(s) for s in DEFAULT_SECTIONS],
    }
