"""The quote bank: one row per coding of the selected excerpts, as CSV or an Excel sheet.

A row shows the quote only when the excerpt's speaker is a participant whose consent in force
allows verbatim quotes; otherwise the cell says it is withheld and never holds the words (the
facilitator, who is no participant, is withheld too). The row itself is always there, so counts
made from the file do not depend on consent. Memos are analysts' notes and stay out.

CSV is UTF-8 with a byte order mark and a header row (courses.downloads.csv_content, as the
coverage downloads). Cells that a spreadsheet would run as a formula (starting with = + - @)
are written after an apostrophe in CSV and as Excel text cells with Excel's own
leading apostrophe (quotePrefix) in the sheet, so that editing the cell keeps it text.
"""

import datetime
import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from courses.downloads import CSV_FORMULA_STARTS, Table, csv_content
from evaluation.consent import quotable_participant_ids
from evaluation.exports.code_tree import CodeTree
from evaluation.exports.excerpts import code_links, direct_links, evidence_for, exported_excerpts
from evaluation.models import Coding, FocusGroup, Mechanism, Phase, Stance, Valence

WITHHELD = gettext_lazy("[withheld: no consent for verbatim quotes]")
VIA_CODE = gettext_lazy("via code")
STANCES = dict(Stance.choices)
LIST_SEPARATOR = "; "
QUOTE_COLUMN = 12

FIELDS = (
    "excerpt_id",
    "code_id",
    "excerpt__transcript__focus_group__course__code",
    "excerpt__transcript__focus_group__course__title",
    "excerpt__transcript__focus_group__phase",
    "excerpt__transcript__focus_group__title",
    "excerpt__transcript__focus_group__held_on",
    "excerpt__transcript__focus_group__audience",
    "excerpt__participant_id",
    "excerpt__participant__pseudonym",
    "excerpt__valence",
    "excerpt__is_exemplar",
    "excerpt__quote",
    "excerpt__start",
    "excerpt__end",
    "excerpt__coder__username",
    "excerpt__in_analysis",
)


def _links_cell(direct, through_code) -> str:
    """Direct links with their stance, and the code's links that are not direct ones too."""
    named = {link.target_id: f"{link.label} ({STANCES[link.stance]})" for link in direct}
    for link in through_code:
        named.setdefault(link.target_id, f"{link.label} ({VIA_CODE})")
    return LIST_SEPARATOR.join(sorted(named.values(), key=str.casefold))


def quote_bank_table(
    *,
    user,
    tree: CodeTree,
    course=None,
    phase: str = "",
    logic_model=None,
    mechanism=None,
    code=None,
    include_all_coders: bool = False,
) -> Table:
    """The rows of the quote bank for the selection, in six queries whatever its size.

    `tree` is the codebook (the selection form has read it already).
    """
    excerpts = exported_excerpts(user, include_all_coders=include_all_coders)
    if course:
        excerpts = excerpts.filter(transcript__focus_group__course=course)
    if phase:
        excerpts = excerpts.filter(transcript__focus_group__phase=phase)
    if mechanism:
        excerpts = evidence_for(excerpts, Mechanism.objects.filter(pk=mechanism.pk))
    elif logic_model:
        excerpts = evidence_for(excerpts, Mechanism.objects.filter(logic_model=logic_model))
    codings = Coding.objects.filter(excerpt__in=excerpts.values("pk"))
    if code:
        codings = codings.filter(code_id__in=tree.subtree_ids(code.pk))
    records = [dict(zip(FIELDS, values, strict=True)) for values in codings.values_list(*FIELDS)]

    code_order = {code.pk: index for index, (code, _depth) in enumerate(tree.walk())}
    records.sort(
        key=lambda r: (
            r["excerpt__transcript__focus_group__course__code"],
            r["excerpt__transcript__focus_group__held_on"],
            r["excerpt__transcript__focus_group__title"],
            r["excerpt__start"],
            r["excerpt__end"],
            r["excerpt_id"],
            code_order.get(r["code_id"], len(code_order)),
        )
    )
    excerpt_mechanisms, excerpt_capabilities = direct_links(excerpts)
    code_mechanisms, code_capabilities = code_links()
    quotable = quotable_participant_ids({r["excerpt__participant_id"] for r in records} - {None})
    phases = dict(Phase.choices)
    audiences = dict(FocusGroup.Audience.choices)
    valences = dict(Valence.choices)
    yes, no = _("yes"), _("no")

    rows = []
    for r in records:
        participant_id = r["excerpt__participant_id"]
        row = [
            r["excerpt__transcript__focus_group__course__code"],
            r["excerpt__transcript__focus_group__course__title"],
            str(phases[r["excerpt__transcript__focus_group__phase"]]),
            r["excerpt__transcript__focus_group__title"],
            r["excerpt__transcript__focus_group__held_on"],
            str(audiences[r["excerpt__transcript__focus_group__audience"]]),
            r["excerpt__participant__pseudonym"] or "",
            tree.path(r["code_id"]),
            _links_cell(excerpt_mechanisms[r["excerpt_id"]], code_mechanisms[r["code_id"]]),
            _links_cell(excerpt_capabilities[r["excerpt_id"]], code_capabilities[r["code_id"]]),
            str(valences[r["excerpt__valence"]]),
            yes if r["excerpt__is_exemplar"] else no,
            r["excerpt__quote"] if participant_id in quotable else str(WITHHELD),
        ]
        if include_all_coders:
            row += [r["excerpt__coder__username"] or "", yes if r["excerpt__in_analysis"] else no]
        rows.append(row)

    headers = [
        _("Course code"),
        _("Course title"),
        _("Phase"),
        _("Session"),
        _("Date"),
        _("Audience"),
        _("Participant"),
        _("Code"),
        _("Mechanisms"),
        _("Capabilities"),
        _("Valence"),
        _("Exemplar"),
        _("Quote"),
    ]
    widths = [12, 30, 11, 24, 11, 12, 11, 30, 40, 24, 10, 9, 80]
    if include_all_coders:
        headers += [_("Coded by"), _("Counted in reports")]
        widths += [16, 10]
    return Table(_("Quote bank"), headers, rows, widths=widths)


HEADER_FONT = Font(bold=True)
WRAPPED = Alignment(wrap_text=True, vertical="top")


def _cell(sheet, value, *, wrap: bool = False):
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    if value.startswith(CSV_FORMULA_STARTS):
        cell.quotePrefix = True
    if wrap:
        cell.alignment = WRAPPED
    return cell


def quote_bank_xlsx(table: Table) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.sheet_name)
    for index, width in enumerate(table.widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header = []
    for text in table.headers:
        cell = _cell(sheet, text)
        cell.font = HEADER_FONT
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        sheet.append(
            [_cell(sheet, value, wrap=index == QUOTE_COLUMN) for index, value in enumerate(row)]
        )
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.headers))}{len(table.rows) + 1}"
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def quote_bank_csv(table: Table) -> bytes:
    return csv_content(table)
