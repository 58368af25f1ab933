"""Competency frameworks as Moodle competency framework CSV files (admin tool tool_lpimportcsv).

Moodle 3.1 and later imports and exports a framework as a CSV file of 14 columns, read by
position: a header line, the framework's own row ("Is framework" 1) and one row per competency,
each naming its parent by ID number. Here the framework row gives the framework, top-level
competencies become domains and the competencies beneath them capabilities; ID numbers become
codes, short names titles, and cross-referenced (related) competencies `isRelatedTo` links.

What a Moodle file cannot carry, so an export leaves it out: a capability's relevance, notes, EQF
level descriptors, themes and references; links of any type other than isRelatedTo, the notes on
links and links to frameworks held elsewhere; the framework's version, language, licence and
source. Moodle shortens short names (titles) to 100 characters on import. Descriptions are
written as plain text (format 2), which Moodle shows with its line breaks and which reads back
here unchanged. A domain whose code is also a capability's code is given another ID number,
because Moodle's ID numbers are unique across the whole framework.

What Moodle has that is not kept on import: scales and their configuration, completion rules,
the taxonomy (Moodle's name for each level) and Moodle's exported ids; each is reported once. HTML
descriptions are reduced to plain text: no tag is kept, and nothing from the file is executed or
rendered as HTML.
"""

import csv
import io
import re
from collections import defaultdict
from html.parser import HTMLParser
from itertools import count

from competencies.interchange.content import FrameworkContent, framework_content
from competencies.interchange.imported import (
    ImportedFramework,
    ImportedLink,
    ImportedNode,
    ImportProblem,
    ImportRefused,
)
from competencies.models import CODE_MAX_LENGTH, CapabilityAssociation, Framework

# Moodle reads the columns by position; the names are those of current Moodle's English strings
# (Moodle 3.3 wrote "Parent id number", "Shortname", "Cross referenced competency id numbers", …).
COLUMNS = (
    "Parent ID number",
    "ID number",
    "Short name",
    "Description",
    "Description format",
    "Scale values",
    "Scale configuration",
    "Rule type (optional)",
    "Rule outcome (optional)",
    "Rule config (optional)",
    "Cross-referenced competency ID numbers",
    "Exported ID (optional)",
    "Is framework",
    "Taxonomy",
)
(
    PARENT,
    ID_NUMBER,
    SHORT_NAME,
    DESCRIPTION,
    DESCRIPTION_FORMAT,
    SCALE_VALUES,
    SCALE_CONFIGURATION,
    RULE_TYPE,
    RULE_OUTCOME,
    RULE_CONFIG,
    CROSS_REFERENCES,
    EXPORTED_ID,
    IS_FRAMEWORK,
    TAXONOMY,
) = range(len(COLUMNS))

FORMAT_MOODLE, FORMAT_HTML, FORMAT_PLAIN, FORMAT_MARKDOWN = "0", "1", "2", "4"
# Moodle's default competency scale, configured as in Moodle's own example file: "Competent" is
# both the default rating and the proficient one. Moodle's importer replaces the scale id.
DEFAULT_SCALE = "Not yet competent,Competent"
DEFAULT_SCALE_CONFIGURATION = '[{"scaleid":"2"},{"id":2,"scaledefault":1,"proficient":1}]'
RELATED = CapabilityAssociation.Type.IS_RELATED_TO

DELIMITERS = (",", ";", "\t")
LINE_BREAK = re.compile(r"\r\n|\r|\n")
LOOKS_LIKE_HTML = re.compile(r"<[a-zA-Z/!]|&(?:[a-zA-Z]+|#\d+|#[xX][0-9a-fA-F]+);")
MOST_PROBLEMS_LISTED = 10


def _listed(value: str) -> str:
    return ", ".join(part.strip() for part in value.split(",") if part.strip())


def _counted(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


def _lines(numbers: list[int]) -> str:
    first, last = numbers[0], numbers[-1]
    return f"line {first}" if first == last else f"lines {first} to {last}"


def _line_count(text: str) -> int:
    return len(LINE_BREAK.findall(text)) + 1


# Reading HTML


class _HtmlText(HTMLParser):
    """The text of an HTML fragment: tags dropped, entities decoded, blocks kept as lines."""

    PARAGRAPHS = frozenset(
        {
            "address", "article", "aside", "blockquote", "dl", "fieldset", "figure", "footer",
            "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p",
            "pre", "section", "table", "ul",
        }
    )  # fmt: skip
    LINES = frozenset({"br", "dd", "div", "dt", "figcaption", "li", "tr"})
    CELLS = frozenset({"td", "th"})
    SKIPPED = frozenset({"script", "style"})  # their content is code, not text
    REMOVED = {
        "script": "scripts",
        "img": "images",
        "iframe": "embedded content",
        "embed": "embedded content",
        "object": "embedded content",
        "audio": "audio",
        "video": "video",
    }
    LINK_SCHEMES = re.compile(r"(?i)(https?|mailto):")

    def __init__(self, *, keep_newlines: bool):
        super().__init__(convert_charrefs=True)
        self.keep_newlines = keep_newlines  # Moodle auto-format and Markdown break lines at "\n"
        self.pieces: list[str] = []
        self.newlines = 0  # line breaks at the end of the text so far
        self.lists: list[int | None] = []  # items numbered so far in each open list; None: bullets
        self.link: tuple[int, str] | None = None  # where the open link's text starts, its href
        self.skipping = False
        self.removed: set[str] = set()

    def handle_starttag(self, tag, attrs):
        if tag in self.REMOVED:
            self.removed.add(self.REMOVED[tag])
        if tag in self.SKIPPED:
            self.skipping = True
        elif tag == "br":
            self._append("\n")
        elif tag in self.PARAGRAPHS:
            self._break(2)
        elif tag in self.LINES:
            self._break(1)
        elif tag in self.CELLS:
            self._append(" ")
        if tag in ("ul", "ol"):
            self.lists.append(0 if tag == "ol" else None)
        elif tag == "li":
            self._append(self._bullet())
        elif tag == "a":
            self.link = (len(self.pieces), (dict(attrs).get("href") or "").strip())

    def handle_endtag(self, tag):
        if tag in self.SKIPPED:
            self.skipping = False
        elif tag in self.PARAGRAPHS:
            self._break(2)
        elif tag in self.LINES:
            self._break(1)
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag == "a" and self.link:
            self._close_link()

    def handle_data(self, data):
        if self.skipping:
            return
        if self.keep_newlines:
            self._append(re.sub(r"[^\S\n]+", " ", LINE_BREAK.sub("\n", data)))
        else:
            self._append(re.sub(r"\s+", " ", data))

    def _append(self, text: str):
        self.pieces.append(text)
        words_end = len(text.rstrip(" \n"))
        if words_end:
            self.newlines = text.count("\n", words_end)
        else:
            self.newlines += text.count("\n")

    def _break(self, lines: int):
        """End the line (1) or the paragraph (2), unless the text already ends so."""
        self._append("\n" * max(0, lines - self.newlines))

    def _bullet(self) -> str:
        if not self.lists or self.lists[-1] is None:
            return "• "
        self.lists[-1] += 1
        return f"{self.lists[-1]}. "

    def _close_link(self):
        start, href = self.link
        self.link = None
        text = "".join(self.pieces[start:])
        address = href.removeprefix("mailto:")
        if self.LINK_SCHEMES.match(href) and address not in text:
            self._append(f" ({address})")

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self.pieces).split("\n"))
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _text_from_html(html: str, *, keep_newlines: bool) -> tuple[str, list[str]]:
    """Plain text and what it could not keep (scripts, images, …), for a fragment of HTML."""
    parser = _HtmlText(keep_newlines=keep_newlines)
    parser.feed(html)
    parser.close()
    return parser.text(), sorted(parser.removed)


def _plain(text: str) -> str:
    return LINE_BREAK.sub("\n", text).strip()


# Reading the file


def _text(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = _line_count(data[: error.start].decode("utf-8-sig"))
        raise ImportRefused(
            ImportProblem(
                f"line {line}",
                f"this is not UTF-8 text (the byte 0x{data[error.start]:02X} cannot be read); "
                "save the file as “CSV UTF-8” and import it again",
            )
        ) from None
    if not text.strip():
        raise ImportRefused(ImportProblem("line 1", "the file is empty"))
    if "\0" in text:
        line = _line_count(text[: text.index("\0")])
        raise ImportRefused(
            ImportProblem(
                f"line {line}",
                "this is not a CSV text file (it holds NUL characters; a UTF-16 or binary file?)",
            )
        )
    return text


def _records(text: str) -> list[tuple[int, list[str]]]:
    """The rows that hold anything, each with the line it starts on, the header first."""
    header = next(line for line in LINE_BREAK.split(text) if line.strip())
    delimiter = max(DELIMITERS, key=header.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records, wrong, start = [], [], 1
    try:
        for row in reader:
            if any(field.strip() for field in row):
                records.append((start, row))
                if len(row) != len(COLUMNS):
                    wrong.append(
                        ImportProblem(
                            f"line {start}",
                            f"this row has {_counted(len(row), 'column', 'columns')}; a Moodle "
                            f"competency framework CSV has {len(COLUMNS)} (the 12-column files "
                            "of the old stand-alone tool_lpimportcsv plugin are not supported)",
                        )
                    )
            start = reader.line_num + 1
    except csv.Error as error:
        message = (
            'a quoted field that starts in this row is never closed (a “"” is missing)'
            if "unexpected end of data" in str(error)
            else f"this is not valid CSV ({error})"
        )
        raise ImportRefused(ImportProblem(f"line {start}", message)) from None
    if len(wrong) > MOST_PROBLEMS_LISTED:
        more = len(wrong) - MOST_PROBLEMS_LISTED
        wrong = wrong[:MOST_PROBLEMS_LISTED]
        wrong.append(ImportProblem("", f"and {_counted(more, 'more row', 'more rows')} as well"))
    if wrong:
        raise ImportRefused(wrong)
    return records


def _is_set(value: str) -> bool:
    """As Moodle reads the "Is framework" column: anything but empty or 0 is true."""
    return value.strip() not in ("", "0")


class _Reading:
    """Turns rows into framework and nodes, tallying what is not kept to report each thing once."""

    def __init__(self, imported: ImportedFramework):
        self.imported = imported
        self.html: list[int] = []
        self.unknown_formats: dict[str, list[int]] = defaultdict(list)
        self.scales: dict[str, list[int]] = defaultdict(list)
        self.rules: dict[str, list[int]] = defaultdict(list)
        self.exported_ids: list[int] = []
        self.related: set[frozenset[str]] = set()

    def _reduced(self, html: str, line: int, field: str, *, keep_newlines: bool) -> str:
        text, removed = _text_from_html(html, keep_newlines=keep_newlines)
        if removed:
            self.imported.not_taken(
                f"line {line}", f"not kept from its {field}: {', '.join(removed)}"
            )
        return text

    def title(self, row: list[str], line: int) -> str:
        value = row[SHORT_NAME]
        if LOOKS_LIKE_HTML.search(value):
            return self._reduced(value, line, "short name", keep_newlines=False)
        return value.strip()

    def description(self, row: list[str], line: int) -> str:
        value = row[DESCRIPTION]
        if not value.strip():
            return ""
        description_format = row[DESCRIPTION_FORMAT].strip() or FORMAT_MOODLE
        if description_format == FORMAT_PLAIN:
            return _plain(value)
        if description_format not in (FORMAT_MOODLE, FORMAT_HTML, FORMAT_MARKDOWN):
            self.unknown_formats[description_format].append(line)
            description_format = FORMAT_MOODLE
        if description_format != FORMAT_HTML and not LOOKS_LIKE_HTML.search(value):
            return _plain(value)
        self.html.append(line)
        return self._reduced(
            value, line, "description", keep_newlines=description_format != FORMAT_HTML
        )

    def framework(self, row: list[str], line: int, source_name: str) -> None:
        imported, where = self.imported, f"line {line}"
        id_number = row[ID_NUMBER].strip()
        imported.title = self.title(row, line) or id_number or source_name or "Moodle framework"
        imported.description = self.description(row, line)
        imported.source = f"Moodle competency framework CSV “{source_name}”" + (
            f", framework ID number {id_number}" if id_number else ""
        )
        if row[SCALE_VALUES].strip():
            imported.not_taken(
                where,
                f"the scale “{_listed(row[SCALE_VALUES])}” and its configuration are not kept",
            )
        if row[TAXONOMY].strip():
            imported.not_taken(
                where,
                f"the taxonomy “{_listed(row[TAXONOMY])}” (Moodle's name for each level) "
                "is not kept",
            )

    def competency(self, row: list[str], line: int, key: str) -> None:
        where = f"line {line}"
        id_number = row[ID_NUMBER].strip()
        if not id_number:
            self.imported.not_taken(
                where,
                "it has no ID number, so no other row can name it as parent or cross-reference; "
                "it was taken all the same, with a code made up for it",
            )
        self.imported.nodes.append(
            ImportedNode(
                key=key,
                code=id_number,
                title=self.title(row, line),
                where=where,
                description=self.description(row, line),
                parent=row[PARENT].strip() or None,
            )
        )
        for reference in row[CROSS_REFERENCES].split(","):
            other = reference.strip().replace("%2C", ",")  # Moodle's escape for a comma
            # Moodle's related competencies go both ways and are usually listed on both rows.
            if other and frozenset((key, other)) not in self.related:
                self.related.add(frozenset((key, other)))
                self.imported.links.append(
                    ImportedLink(
                        origin=key, association_type=RELATED, destination=other, where=where
                    )
                )
        if row[SCALE_VALUES].strip():
            self.scales[_listed(row[SCALE_VALUES])].append(line)
        if row[RULE_TYPE].strip():
            self.rules[row[RULE_TYPE].strip()].append(line)
        if row[EXPORTED_ID].strip():
            self.exported_ids.append(line)

    def report(self) -> None:
        """Say once, for all rows, what was read but not kept."""
        not_taken = self.imported.not_taken
        if self.html:
            not_taken(
                _lines(self.html),
                f"{_counted(len(self.html), 'description was', 'descriptions were')} HTML, "
                "reduced to plain text: paragraphs, line breaks and list items are kept as "
                "lines, other formatting is not",
            )
        for description_format, lines in self.unknown_formats.items():
            not_taken(
                _lines(lines),
                f"the description format {description_format} is not one of Moodle's "
                f"(0, 1, 2 or 4); {_counted(len(lines), 'description was', 'descriptions were')} "
                "read as Moodle auto-format",
            )
        for scale, lines in self.scales.items():
            not_taken(
                _lines(lines),
                f"the scale “{scale}” of {_counted(len(lines), 'competency', 'competencies')} "
                "and its configuration are not kept",
            )
        for rule_type, lines in self.rules.items():
            not_taken(
                _lines(lines),
                f"the completion rule {rule_type} of "
                f"{_counted(len(lines), 'competency', 'competencies')} is not kept",
            )
        if self.exported_ids:
            not_taken(
                _lines(self.exported_ids),
                f"the exported ids of {_counted(len(self.exported_ids), 'row', 'rows')} are not "
                "kept (Moodle uses them only to carry completion rules over)",
            )


def _generated_key(line: int, id_numbers: set[str]) -> str:
    key = f"(no ID number, line {line})"
    while key in id_numbers:
        key += "'"
    return key


def moodle_framework_read(data: bytes, *, source_name: str) -> ImportedFramework:
    """Read a Moodle competency framework CSV file into a settled `ImportedFramework`.

    UTF-8 with or without a byte order mark, comma, semicolon or tab separated (as the header
    line is), CRLF or LF. Raises ImportRefused, naming the line, for a file that cannot be read.
    """
    records = _records(_text(data))
    header_line, header = records[0]
    if header[IS_FRAMEWORK].strip() == "1":
        raise ImportRefused(
            ImportProblem(
                f"line {header_line}",
                "this is a framework row, but the first line must hold the column names",
            )
        )
    rows = records[1:]
    if not rows:
        raise ImportRefused(
            ImportProblem(
                f"line {header_line}",
                "there is nothing after the column names: no framework row and no competency",
            )
        )
    framework_rows = [(line, row) for line, row in rows if _is_set(row[IS_FRAMEWORK])]
    if not framework_rows:
        raise ImportRefused(
            ImportProblem(
                _lines([rows[0][0], rows[-1][0]]),
                "no row is the framework's own row (“Is framework” 1), which Moodle's framework "
                "CSV files start with",
            )
        )

    reading = _Reading(ImportedFramework(title=""))
    framework_line, framework_row = framework_rows[0]
    reading.framework(framework_row, framework_line, source_name)
    for line, _row in framework_rows[1:]:
        reading.imported.not_taken(
            f"line {line}",
            f"only the first framework row (line {framework_line}) is taken; this one is not",
        )
    competencies = [(line, row) for line, row in rows if not _is_set(row[IS_FRAMEWORK])]
    id_numbers = {row[ID_NUMBER].strip() for _line, row in competencies}
    for line, row in competencies:
        key = row[ID_NUMBER].strip() or _generated_key(line, id_numbers)
        reading.competency(row, line, key)
    reading.report()
    return reading.imported.settle()


# Writing a file


def _domain_id_numbers(content: FrameworkContent) -> dict[int, str]:
    """Domain codes as ID numbers, changed only where a capability has the same code."""
    capability_codes = {capability.code for capability in content.capabilities}
    taken = capability_codes | {domain.code for domain in content.domains}
    id_numbers = {}
    for domain in content.domains:
        id_number = domain.code
        if id_number in capability_codes:
            for number in count(1):
                suffix = "-domain" if number == 1 else f"-domain-{number}"
                id_number = domain.code[: CODE_MAX_LENGTH - len(suffix)] + suffix
                if id_number not in taken:
                    break
            taken.add(id_number)
        id_numbers[domain.pk] = id_number
    return id_numbers


def _competency_row(parent: str, id_number: str, title: str, description: str, related: str):
    """A competency row with no scale of its own and no rule, written as Moodle writes them.

    The exported id is left empty: Moodle uses it only to carry completion rules over.
    """
    return [
        parent,
        id_number,
        title,
        description,
        FORMAT_PLAIN,
        "",
        "",
        "",
        "0",
        "null",
        related,
        "",
        "",
        "",
    ]


def moodle_framework_csv(framework: Framework) -> str:
    """The framework as a Moodle competency framework CSV (tool_lpimportcsv), as text.

    No byte order mark: Moodle reads the file as UTF-8 and drops a BOM if there is one. Related
    capabilities are listed on the row of the link's origin only, which Moodle's importer takes as
    a two-way relation and which reads back here as the same link.
    """
    content = framework_content(framework)
    domain_id_numbers = _domain_id_numbers(content)
    related = defaultdict(list)
    for association in content.associations:
        if association.association_type == RELATED:
            related[association.origin_id].append(association.destination.code.replace(",", "%2C"))
    levels = 1 + max((capability.depth + 1 for capability in content.capabilities), default=0)
    taxonomy = ",".join(["domain"] + ["competency"] * (levels - 1))

    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerow(
        [
            "",
            f"{framework.slug}-{framework.version_label}",
            framework.title,
            framework.description,
            FORMAT_PLAIN,
            DEFAULT_SCALE,
            DEFAULT_SCALE_CONFIGURATION,
            "",
            "",
            "",
            "",
            "",
            "1",
            taxonomy,
        ]
    )
    for domain in content.domains:
        domain_id_number = domain_id_numbers[domain.pk]
        writer.writerow(_competency_row("", domain_id_number, domain.name, domain.description, ""))
        for capability in content.capabilities_of(domain):
            writer.writerow(
                _competency_row(
                    capability.parent.code if capability.parent else domain_id_number,
                    capability.code,
                    capability.title,
                    capability.description,
                    ",".join(related[capability.pk]),
                )
            )
    return output.getvalue()
