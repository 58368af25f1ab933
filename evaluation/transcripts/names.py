"""The pseudonymisation step: names listed by the evaluator replaced before anything is stored.

A list reads one replacement a line, `Anna Berg = S03`. A name is replaced as a whole word (not
inside a longer word), in any case, the longest names first so that "Anna Berg" wins over "Anna".
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# A name stands alone when no letter or digit touches it; "_" counts as a gap, as in file names.
_BEFORE = r"(?<![^\W_])"
_AFTER = r"(?![^\W_])"


@dataclass(frozen=True)
class NameReplacements:
    """Names (as listed) and what each becomes; empty when nothing is to be replaced."""

    pseudonym_of: dict[str, str]

    def apply(self, text: str) -> str:
        if not self.pseudonym_of:
            return text
        by_key = {_key(name): pseudonym for name, pseudonym in self.pseudonym_of.items()}
        names = sorted(self.pseudonym_of, key=len, reverse=True)
        pattern = re.compile(
            _BEFORE + "(?:" + "|".join(_name_pattern(name) for name in names) + ")" + _AFTER,
            re.IGNORECASE,
        )
        return pattern.sub(lambda match: by_key[_key(match.group(0))], text)


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _name_pattern(name: str) -> str:
    # The words of a name may be split by any whitespace, a line break included.
    return r"\s+".join(re.escape(word) for word in name.split())


def parse_replacements(listing: str) -> NameReplacements:
    """Read `Name = S03` lines; refused with every line that cannot be read."""
    listed: dict[str, tuple[str, str, int]] = {}  # key → (name, pseudonym, line number)
    problems = []
    for number, line in enumerate(listing.splitlines(), start=1):
        if not line.strip():
            continue
        name, equals, pseudonym = (part.strip() for part in line.partition("="))
        name = " ".join(name.split())
        earlier = listed.get(_key(name))
        if not equals or not name or not pseudonym:
            problems.append(
                _("Line %(number)d (“%(line)s”): write it as “Anna Berg = S03”.")
                % {"number": number, "line": line.strip()}
            )
        elif len(name) < 2:
            problems.append(
                _(
                    "Line %(number)d: “%(name)s” is a single letter and would replace that "
                    "letter wherever it stands alone; write the whole name."
                )
                % {"number": number, "name": name}
            )
        elif earlier and earlier[1] != pseudonym:
            problems.append(
                _(
                    "Line %(number)d: “%(name)s” is already replaced by %(pseudonym)s on line "
                    "%(first)d; keep one of the two."
                )
                % {"number": number, "name": name, "pseudonym": earlier[1], "first": earlier[2]}
            )
        elif not earlier:
            listed[_key(name)] = (name, pseudonym, number)
    if problems:
        raise ValidationError({"replacements": problems})
    return NameReplacements(
        pseudonym_of={name: pseudonym for name, pseudonym, _line in listed.values()}
    )
