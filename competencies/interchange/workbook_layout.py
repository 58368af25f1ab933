"""The layout of a framework workbook (.xlsx): its sheets, their columns and what they hold.

Flat sheets in the spirit of OpenSALT's spreadsheet import, one row per item with an identifier
column and a parent column. One row per item is what updating by identifier needs; a flat sheet
holds a tree of any depth and lets a row move to another domain by changing one cell; links across
domains need a single place.
"""

from dataclasses import dataclass

from competencies.models import CapabilityAssociation

DOMAIN, CAPABILITY = "Domain", "Capability"
LIST_SEPARATOR = "; "
# Rows a sheet may hold: the type lists cover them, and a longer sheet is not read.
MAX_ROWS = 20_000


@dataclass(frozen=True)
class Column:
    header: str
    width: int
    help: str = ""
    required: bool = False
    wrap: bool = False


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]


FRAMEWORK = Sheet(
    "Framework",
    (
        Column("Field", 14, required=True),
        Column(
            "Value",
            100,
            "The framework's title, version and other details.",
            required=True,
            wrap=True,
        ),
    ),
)
FRAMEWORK_FIELDS = {  # field label in the sheet → ImportedFramework attribute
    "identifier": "uuid",
    "title": "title",
    "version": "version_label",
    "language": "language",
    "licence": "licence",
    "description": "description",
    "source": "source",
}
ITEMS = Sheet(
    "Items",
    (
        Column("identifier", 38, "Keep it to update the row it came from; empty for a new row."),
        Column("type", 12, "Domain or Capability."),
        Column("code", 12, "Unique in the framework, e.g. K1 or K1.2.", required=True),
        Column(
            "parent code",
            12,
            "Empty for a domain. For a capability: its domain's code, "
            "or the code of the capability it belongs to.",
            required=True,
        ),
        Column("title", 45, required=True, wrap=True),
        Column("description", 60, wrap=True),
        Column("relevance", 45, "Relevance to research co-production.", wrap=True),
        Column(
            "EQF 7 descriptor", 45, "What the capability looks like at master's level.", wrap=True
        ),
        Column(
            "EQF 8 descriptor", 45, "What the capability looks like at doctoral level.", wrap=True
        ),
        Column("themes", 28, "Codes from the Themes sheet, separated by ;", wrap=True),
        Column("references", 28, "Keys from the References sheet, separated by ;", wrap=True),
        Column("notes", 40, wrap=True),
    ),
)
LINKS = Sheet(
    "Links",
    (
        Column("origin code", 14, "Empty when the origin is held elsewhere.", required=True),
        Column("type", 16, "A CASE association type, e.g. isRelatedTo.", required=True),
        Column(
            "destination code", 16, "Empty when the destination is held elsewhere.", required=True
        ),
        Column("external identifier", 38, "The identifier of the end held elsewhere."),
        Column("external URI", 40),
        Column("external title", 40, wrap=True),
        Column("note", 60, wrap=True),
    ),
)
THEMES = Sheet(
    "Themes",
    (
        Column("code", 26, "Letters, digits and hyphens, e.g. research-competence.", required=True),
        Column("name", 40, required=True, wrap=True),
        Column("description", 80, wrap=True),
    ),
)
REFERENCES = Sheet(
    "References",
    (
        Column("key", 24, "Letters, digits and hyphens, e.g. gabbay-2014.", required=True),
        Column("citation", 80, required=True, wrap=True),
        Column("year", 8),
        Column("DOI", 30),
        Column("URL", 40),
    ),
)
SHEETS = (FRAMEWORK, ITEMS, LINKS, THEMES, REFERENCES)
TYPE_CHOICES = {ITEMS.name: (DOMAIN, CAPABILITY), LINKS.name: CapabilityAssociation.Type.values}
