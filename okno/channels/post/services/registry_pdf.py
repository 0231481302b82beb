"""The registry (form 103) as PDF, drawn with ReportLab at fixed coordinates.

Every other PDF in Okno goes through WeasyPrint (``okno.core.pdf.render_pdf``); this
one does not, because WeasyPrint lays out a table row in ~15 ms and a day's registry
is a table of every letter posted: 1,000 letters took ~24 s (``bench/post_registry.py``,
``bench/README.md``). Here each cell is wrapped by measuring the vendored DejaVu font's
glyph widths, pages are planned from those heights, and the text is placed on the
canvas directly; nothing is laid out twice. The same 1,000 letters now take 0.2–0.3 s.

The look is the one the HTML template had: landscape A4, a list per page (or pages),
its header fields, the table with the ten columns of form 103 (its header row repeated
on every page the list continues on), the totals and the signature lines; page numbers
at the bottom right. The document is in Russian whatever the reader's language
(``documents.DOCUMENT_LANGUAGE``): the caller translates.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab import rl_config
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from okno.channels.post.services.documents import ListData, column_titles, full_address, kilograms, money

# --- the layout (points; 1 mm = 2.835 pt) --------------------------------------------

FONT = "OknoSans"
FONT_BOLD = "OknoSans-Bold"
FONT_FILES = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf"}  # in static/vendor/dejavu/

MM = 72 / 25.4  # points in a millimetre
PAGE_SIZE: tuple[float, float] = landscape(A4)
PAGE_WIDTH, PAGE_HEIGHT = PAGE_SIZE
MARGIN_LEFT = MARGIN_RIGHT = MARGIN_TOP = 10 * MM
MARGIN_BOTTOM = 12 * MM
CONTENT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
CONTENT_TOP = PAGE_HEIGHT - MARGIN_TOP

TEXT_SIZE = 7.0  # table cells and header fields
LEADING = 8.4  # line height: 1.2 of the size
HEAD_SIZE = 6.5  # the table's column titles
HEAD_LEADING = 7.8
HEAD_MIN_SIZE = 5.0  # the column titles shrink to this so as not to break words
TITLE_SIZE = 10.0  # "List No. N"
TITLE_LEADING = 12.0
FOOTER_SIZE = 8.0  # page numbers
FOOTER_BASELINE = 5 * MM  # from the bottom edge, inside the bottom margin

CELL_PAD_X = 1 * MM
CELL_PAD_Y = 0.4 * MM
HEAD_PAD_Y = 0.5 * MM
FIELD_KEY_WIDTH = 38 * MM  # the header fields: key, value, key, value
FIELD_PAD_Y = 0.2 * MM
GAP_AFTER_SUBTITLE = 1.5 * MM
GAP_BEFORE_TABLE = 2 * MM
GAP_BEFORE_SIGNATURES = 5 * MM
SIGNATURE_LINE = "________________________"

# Shares of the width, in per cent: №, addressee, postal address, phone, ШПИ, weight,
# declared value, cash on delivery, postage, special marks.
COLUMN_SHARES = (4, 15, 31, 9, 11, 5, 6, 6, 6, 7)
RIGHT_ALIGNED = frozenset({0, 4, 5, 6, 7, 8})
COLUMN_WIDTHS = tuple(CONTENT_WIDTH * share / 100 for share in COLUMN_SHARES)
COLUMN_X = tuple(MARGIN_LEFT + sum(COLUMN_WIDTHS[:k]) for k in range(len(COLUMN_WIDTHS) + 1))
TABLE_RIGHT = COLUMN_X[-1]  # the table's right edge: the content's, to the float

BORDER_WIDTH = 0.5
INK = HexColor("#111111")
BORDER = HexColor("#444444")
KEY_INK = HexColor("#444444")
HEAD_FILL = HexColor("#eeeeee")
TOTAL_FILL = HexColor("#f3f3f3")
FOOTER_INK = HexColor("#666666")

# Baseline of a line below the top of its line box: the leading's spare space split
# above and below, then the font's ascent (about 0.8 of the size for DejaVu Sans).
ASCENT = 0.8


@cache
def register_fonts() -> None:
    """The vendored DejaVu Sans (Cyrillic on any machine), once per process: parsing a
    TrueType file takes tens of milliseconds; each document embeds only the subset of
    glyphs it uses when it is saved.

    Also: streams compressed but not ASCII85-armoured (ReportLab's default armour is
    for 7-bit channels nobody uses, and encoding it in pure Python cost a third of the
    document's time). ``rl_config`` is process-wide; this module is Okno's only
    ReportLab user."""
    rl_config.useA85 = 0
    folder = settings.BASE_DIR / "static" / "vendor" / "dejavu"
    for name, filename in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / filename)))


# --- measuring and wrapping ----------------------------------------------------------------

type Line = tuple[str, float]  # text and its width


class _Advances(dict[str, int]):
    """Glyph advances of one font in its units, per character, looked up as needed:
    what ``pdfmetrics.stringWidth`` sums, without its per-call overhead (it measures
    ~40,000 words and lines for 1,000 letters)."""

    def __init__(self, font: str) -> None:
        super().__init__()
        face = pdfmetrics.getFont(font).face
        self.widths: dict[int, int] = face.charWidths
        self.default: int = face.defaultWidth

    def __missing__(self, char: str) -> int:
        advance = self[char] = self.widths.get(ord(char), self.default)
        return advance


@cache
def _advances(font: str) -> _Advances:
    return _Advances(font)


def string_width(text: str, font: str, size: float) -> float:
    """Equal to ``pdfmetrics.stringWidth(text, font, size)`` for the registered fonts."""
    return 0.001 * size * sum(map(_advances(font).__getitem__, text))


def wrap(text: str, font: str, size: float, width: float) -> list[Line]:
    """``text`` broken into lines no wider than ``width``: at spaces, at its own line
    breaks, and inside a word too long for a line (nothing is cut off or overflows)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    whole = string_width(text, font, size)
    if whole <= width and "\n" not in text:
        return [(text, whole)] if text.strip() else []
    lines: list[Line] = []
    space = string_width(" ", font, size)
    for paragraph in text.split("\n"):
        line, line_width = "", 0.0
        for word in paragraph.split(" "):
            if not word:
                continue
            word_width = string_width(word, font, size)
            if line and line_width + space + word_width <= width:
                line, line_width = f"{line} {word}", line_width + space + word_width
                continue
            if line:
                lines.append((line, line_width))
            if word_width > width:
                *full, (line, line_width) = _break_word(word, font, size, width)
                lines.extend(full)
            else:
                line, line_width = word, word_width
        if line:
            lines.append((line, line_width))
    return lines


def _break_word(word: str, font: str, size: float, width: float) -> list[Line]:
    pieces: list[Line] = []
    piece, piece_width = "", 0.0
    for char in word:
        char_width = string_width(char, font, size)
        if piece and piece_width + char_width > width:
            pieces.append((piece, piece_width))
            piece, piece_width = "", 0.0
        piece, piece_width = piece + char, piece_width + char_width
    pieces.append((piece, piece_width))
    return pieces


# --- rows and pages --------------------------------------------------------------------


@dataclass(slots=True)
class Cell:
    x: float  # left edge
    width: float
    lines: list[Line]
    align: str = "left"  # left, right, centre


@dataclass(slots=True)
class Row:
    """A row of the table: its cells' wrapped lines; drawn at its height."""

    cells: list[Cell]
    font: str = FONT
    size: float = TEXT_SIZE
    leading: float = LEADING
    pad_y: float = CELL_PAD_Y
    fill: Color | None = None

    @property
    def height(self) -> float:
        lines = max(1, *(len(cell.lines) for cell in self.cells))
        return lines * self.leading + 2 * self.pad_y

    def split(self, lines: int) -> tuple[Row, Row]:
        """The first ``lines`` lines of every cell, and the rest: a row taller than a
        page goes on over the next."""
        head = [Cell(c.x, c.width, c.lines[:lines], c.align) for c in self.cells]
        tail = [Cell(c.x, c.width, c.lines[lines:], c.align) for c in self.cells]
        return replace(self, cells=head), replace(self, cells=tail)


def _cell(column: int, text: str, font: str = FONT, size: float = TEXT_SIZE, align: str | None = None) -> Cell:
    width = COLUMN_WIDTHS[column]
    return Cell(
        COLUMN_X[column],
        width,
        wrap(text, font, size, width - 2 * CELL_PAD_X),
        align or ("right" if column in RIGHT_ALIGNED else "left"),
    )


def _header_row(titles: Sequence[str]) -> Row:
    """The column titles, in a size small enough that no word of them has to be
    broken (Russian titles have long words in narrow columns), not below
    ``HEAD_MIN_SIZE``."""
    size = HEAD_SIZE
    for column, title in enumerate(titles):
        room = COLUMN_WIDTHS[column] - 2 * CELL_PAD_X
        widest = max((string_width(word, FONT_BOLD, HEAD_SIZE) for word in title.split()), default=0.0)
        if widest > room:
            size = min(size, HEAD_SIZE * room / widest)
    size = max(HEAD_MIN_SIZE, int(size * 10) / 10)
    cells = [_cell(k, title, FONT_BOLD, size, "centre") for k, title in enumerate(titles)]
    return Row(cells, FONT_BOLD, size, size * HEAD_LEADING / HEAD_SIZE, HEAD_PAD_Y, HEAD_FILL)


def _item_rows(data: ListData) -> list[Row]:
    return [
        Row(
            [
                _cell(0, str(letter.position)),
                _cell(1, letter.addressee),
                _cell(2, full_address(letter)),
                _cell(3, letter.phone),
                _cell(4, letter.tracking_number),
                _cell(5, kilograms(letter.weight_g)),
                _cell(6, money(letter.declared_value)),
                _cell(7, money(letter.cash_on_delivery)),
                _cell(8, money(letter.postage)),
                _cell(9, letter.special_marks),
            ]
        )
        for letter in data.letters
    ]


def _total_row(data: ListData) -> Row:
    totals = data.totals
    label = f"{_('Total')}: {totals['count']}"
    width = COLUMN_WIDTHS[0] + COLUMN_WIDTHS[1]  # the label spans № and addressee
    first = Cell(COLUMN_X[0], width, wrap(label, FONT_BOLD, TEXT_SIZE, width - 2 * CELL_PAD_X))
    cells = [first, *(_cell(k, "", FONT_BOLD) for k in (2, 3, 4))]
    cells += [
        _cell(5, kilograms(totals["weight_g"]), FONT_BOLD),
        _cell(6, money(totals["declared_value"]), FONT_BOLD),
        _cell(7, money(totals["cash_on_delivery"]), FONT_BOLD),
        _cell(8, money(totals["postage"]), FONT_BOLD),
        _cell(9, "", FONT_BOLD),
    ]
    return Row(cells, FONT_BOLD, fill=TOTAL_FILL)


@dataclass(slots=True)
class Field:
    key: list[Line]
    value: list[Line]


@dataclass(slots=True)
class ListLayout:
    """One list, measured: its title lines, header fields and rows."""

    title: str
    subtitle: str
    continued: str
    fields: list[list[Field]]  # rows of one or two key/value pairs
    header: Row
    rows: list[Row]
    total: Row
    signatures: tuple[str, str]

    @property
    def fields_height(self) -> float:
        return sum(_field_row_height(row) for row in self.fields)

    @property
    def head_height(self) -> float:
        return TITLE_LEADING + LEADING + GAP_AFTER_SUBTITLE + self.fields_height + GAP_BEFORE_TABLE


def _field_row_height(row: list[Field]) -> float:
    lines = max(max(len(f.key), len(f.value), 1) for f in row)
    return lines * LEADING + 2 * FIELD_PAD_Y


FIELD_VALUE_WIDTH = (CONTENT_WIDTH - 2 * FIELD_KEY_WIDTH) / 2
FIELD_WIDE_VALUE_WIDTH = CONTENT_WIDTH - FIELD_KEY_WIDTH


def _field(key: str, value: str, wide: bool = False) -> Field:
    value_width = FIELD_WIDE_VALUE_WIDTH if wide else FIELD_VALUE_WIDTH
    return Field(
        wrap(key, FONT, TEXT_SIZE, FIELD_KEY_WIDTH - 2 * CELL_PAD_X),
        wrap(value, FONT, TEXT_SIZE, value_width - 2 * CELL_PAD_X),
    )


def _layout(data: ListData, titles: Sequence[str]) -> ListLayout:
    reg = data.registry
    sender = reg.sender_name
    if reg.sender_address:
        sender = f"{sender}, {reg.sender_address}" if sender else reg.sender_address
    return ListLayout(
        title=_("List No. %(number)s") % {"number": reg.number},
        subtitle=f"{_('of internal mail items (form 103)')} · {reg.date:%d.%m.%Y}",
        continued=_("List No. %(number)s (continued)") % {"number": reg.number},
        fields=[
            [
                _field(_("Kind of mail"), reg.get_mail_kind_display()),
                _field(_("Who pays"), reg.get_payer_display()),
            ],
            [
                _field(_("Class"), reg.get_mail_class_display()),
                _field(_("Payment method"), reg.get_payment_method_display()),
            ],
            [_field(_("Sender"), sender, wide=True)],
            [_field(_("Accepting post office"), f"{reg.office_postcode} {reg.office_name}".strip(), wide=True)],
        ],
        header=_header_row(titles),
        rows=_item_rows(data),
        total=_total_row(data),
        signatures=(f"{_('Handed in')} {SIGNATURE_LINE}", f"{_('Accepted (post office)')} {SIGNATURE_LINE}"),
    )


SIGNATURES_HEIGHT = GAP_BEFORE_SIGNATURES + LEADING
CONTINUED_HEIGHT = LEADING + GAP_BEFORE_TABLE


@dataclass(slots=True)
class Page:
    """What one page shows of a list: its head (or the "continued" line), the table
    header and ``rows``, and on the last page the totals and signatures."""

    layout: ListLayout
    first: bool
    rows: list[Row] = field(default_factory=list)
    last: bool = False


def _paginate(layout: ListLayout) -> list[Page]:
    """The list's pages: rows while they fit; a row that fits no page at all is split
    by lines; the totals and the signatures stay together on the last page, under the
    table header."""
    body = CONTENT_TOP - MARGIN_BOTTOM
    header = layout.header.height
    next_room = body - CONTINUED_HEIGHT - header
    page = Page(layout, first=True)
    pages = [page]
    room = body - layout.head_height - header
    pending = list(reversed(layout.rows))
    while pending:
        row = pending.pop()
        height = row.height
        if height <= room:
            page.rows.append(row)
            room -= height
            continue
        if height > next_room or not page.rows:
            fit = max(1, int((room - 2 * row.pad_y) // row.leading))
            head, tail = row.split(fit)
            page.rows.append(head)
            pending.append(tail)
        else:
            pending.append(row)
        page = Page(layout, first=False)
        pages.append(page)
        room = next_room
    if layout.total.height + SIGNATURES_HEIGHT > room:
        page = Page(layout, first=False)
        pages.append(page)
    page.last = True
    return pages


# --- drawing ------------------------------------------------------------------------------


def _one_line(text: str, font: str = FONT, size: float = TEXT_SIZE) -> list[Line]:
    """A title or a signature line: short by construction, never wrapped."""
    return [(text, string_width(text, font, size))]


class _Painter:
    """Draws planned pages. The text of a page goes into one text object, its rules
    are merged (a column's border is one line from the table header down, not one per
    row) and stroked at once."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self._start_page()

    def _start_page(self) -> None:
        self.text: PDFTextObject = self.canvas.beginText()
        self.font: tuple[str, float] | None = None
        self.colour: Color | None = None
        self.horizontal: list[tuple[float, float, float, float]] = []
        self.vertical: dict[float, list[list[float]]] = {}  # x: [top, bottom] runs

    def say(self, x: float, y: float, text: str, font: str, size: float, colour: Color = INK) -> None:
        """``text`` with its baseline's left end at (x, y)."""
        if (font, size) != self.font:
            self.text.setFont(font, size)
            self.font = (font, size)
        if colour is not self.colour:
            self.text.setFillColor(colour)
            self.colour = colour
        self.text.setTextOrigin(x, y)
        self.text.textLine(text)  # unlike textOut, does not measure the text again

    def lines(
        self,
        x: float,
        top: float,
        lines: Sequence[Line],
        font: str = FONT,
        size: float = TEXT_SIZE,
        leading: float = LEADING,
        align: str = "left",
        colour: Color = INK,
    ) -> None:
        """Lines from ``top`` down; ``x`` is their left end, right end or centre."""
        y = top - (leading - size) / 2 - size * ASCENT
        for text, width in lines:
            left = x - width if align == "right" else x - width / 2 if align == "centre" else x
            self.say(left, y, text, font, size, colour)
            y -= leading

    def row(self, row: Row, top: float) -> float:
        """The row under ``top``, with its borders; returns its bottom."""
        height = row.height
        bottom = top - height
        if row.fill is not None:
            self.canvas.setFillColor(row.fill)
            self.canvas.rect(MARGIN_LEFT, bottom, TABLE_RIGHT - MARGIN_LEFT, height, stroke=0, fill=1)
        self.horizontal.append((MARGIN_LEFT, bottom, TABLE_RIGHT, bottom))
        for cell in row.cells:
            self._vertical(cell.x, top, bottom)
            if cell.align == "right":
                x = cell.x + cell.width - CELL_PAD_X
            elif cell.align == "centre":
                x = cell.x + cell.width / 2
            else:
                x = cell.x + CELL_PAD_X
            self.lines(x, top - row.pad_y, cell.lines, row.font, row.size, row.leading, cell.align)
        self._vertical(TABLE_RIGHT, top, bottom)
        return bottom

    def _vertical(self, x: float, top: float, bottom: float) -> None:
        runs = self.vertical.setdefault(x, [])
        if runs and runs[-1][1] == top:
            runs[-1][1] = bottom
        else:
            runs.append([top, bottom])

    def page(self, page: Page, number: int, count: int) -> None:
        layout = page.layout
        top = CONTENT_TOP
        if page.first:
            centre = MARGIN_LEFT + CONTENT_WIDTH / 2
            title = _one_line(layout.title, FONT_BOLD, TITLE_SIZE)
            self.lines(centre, top, title, FONT_BOLD, TITLE_SIZE, TITLE_LEADING, "centre")
            top -= TITLE_LEADING
            self.lines(centre, top, _one_line(layout.subtitle), align="centre")
            top -= LEADING + GAP_AFTER_SUBTITLE
            for fields in layout.fields:
                x = MARGIN_LEFT
                for item in fields:
                    self.lines(x + CELL_PAD_X, top - FIELD_PAD_Y, item.key, colour=KEY_INK)
                    x += FIELD_KEY_WIDTH
                    self.lines(x + CELL_PAD_X, top - FIELD_PAD_Y, item.value)
                    x += FIELD_VALUE_WIDTH
                top -= _field_row_height(fields)
            top -= GAP_BEFORE_TABLE
        else:
            self.lines(MARGIN_LEFT, top, _one_line(layout.continued, FONT_BOLD), FONT_BOLD)
            top -= CONTINUED_HEIGHT
        self.horizontal.append((MARGIN_LEFT, top, TABLE_RIGHT, top))
        top = self.row(layout.header, top)
        for row in page.rows:
            top = self.row(row, top)
        if page.last:
            top = self.row(layout.total, top) - GAP_BEFORE_SIGNATURES
            handed, accepted = layout.signatures
            self.lines(MARGIN_LEFT, top, _one_line(handed))
            self.lines(MARGIN_LEFT + CONTENT_WIDTH / 2, top, _one_line(accepted))
        footer = f"{number} / {count}"
        width = string_width(footer, FONT, FOOTER_SIZE)
        self.say(PAGE_WIDTH - MARGIN_RIGHT - width, FOOTER_BASELINE, footer, FONT, FOOTER_SIZE, FOOTER_INK)
        self._finish_page()

    def _finish_page(self) -> None:
        canvas = self.canvas
        canvas.setStrokeColor(BORDER)
        canvas.setLineWidth(BORDER_WIDTH)
        rules = self.horizontal + [(x, top, x, bottom) for x, runs in self.vertical.items() for top, bottom in runs]
        canvas.lines(rules)
        canvas.drawText(self.text)
        canvas.showPage()
        self._start_page()


def render(lists: Sequence[ListData]) -> bytes:
    """The PDF of ``lists`` (in the active language: the caller chooses Russian)."""
    register_fonts()
    titles = column_titles()
    pages = [page for data in lists for page in _paginate(_layout(data, titles))]
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer,
        pagesize=PAGE_SIZE,
        initialFontName=FONT,
        initialFontSize=TEXT_SIZE,
        initialLeading=LEADING,
    )
    canvas.setTitle(_("Registry of mail items (form 103)"))
    canvas.setCreator("Okno")
    if lists:
        canvas.setAuthor(lists[0].registry.sender_name)
    painter = _Painter(canvas)
    for number, page in enumerate(pages, start=1):
        painter.page(page, number, len(pages))
    if not pages:
        canvas.showPage()  # a PDF needs a page, even an empty one
    canvas.save()
    return buffer.getvalue()
