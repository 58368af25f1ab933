"""Charts as inline SVG markup, built on the server so that pages and PDFs show the same figure.

Every piece of text is escaped on the way in; only the markup built here is marked safe. Each
chart is an image to screen readers (role="img") whose label spells out the numbers, and carries
a <title>; pages put a visually hidden table of the same numbers next to it. No JavaScript.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from evaluation.models import Valence

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
FONT = 'font-family="EISEN Sans, system-ui, sans-serif" font-size="13"'
INK = "#1b1f24"
TRACK = "#e6e9ee"
# A rough width of one character at 13px, to size the label column and wrap the legend.
CHARACTER_WIDTH = 7.8


@dataclass(frozen=True)
class Series:
    """One kind of thing a stacked bar is made of; its colour keeps white text readable (≥ 4.5:1)
    and stands out from the page (≥ 3:1)."""

    key: str
    label: str
    colour: str


# Blue, orange, purple and grey: told apart with the common colour-vision deficiencies too.
VALENCE_COLOURS = {
    Valence.POSITIVE: "#2166ac",
    Valence.NEGATIVE: "#a14a00",
    Valence.MIXED: "#762a83",
    Valence.NEUTRAL: "#595959",
}
EVIDENCE_COLOUR = "#0b5394"
COVERAGE_COLOUR = "#1b6e3a"


def valence_series() -> list[Series]:
    return [Series(value, str(label), VALENCE_COLOURS[value]) for value, label in Valence.choices]


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _text_width(text: str) -> float:
    return len(text) * CHARACTER_WIDTH


def _svg(width: float, height: float, label: str, title: str, body: list[str]) -> SafeString:
    # Every text inside was escaped where the markup was built.
    return mark_safe(
        f'<svg xmlns="{SVG_NAMESPACE}" class="chart" role="img" aria-label="{escape(label)}" '
        f'width="{_number(width)}" height="{_number(height)}" '
        f'viewBox="0 0 {_number(width)} {_number(height)}" {FONT}>'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def chart_summary(
    title: str, rows: Sequence[tuple[str, Mapping[str, int]]], series: Sequence[Series]
) -> str:
    """The numbers of a stacked bar chart in a sentence per row, for screen readers."""
    parts = [title + "."]
    for label, values in rows:
        counts = ", ".join(f"{values.get(item.key, 0)} {item.label}" for item in series)
        total = sum(values.get(item.key, 0) for item in series)
        parts.append(
            _("%(row)s: %(counts)s; total %(total)s.")
            % {"row": label, "counts": counts, "total": total}
        )
    return " ".join(parts)


def stacked_bar_chart(
    rows: Sequence[tuple[str, Mapping[str, int]]],
    series: Sequence[Series],
    *,
    title: str,
    width: int = 560,
    maximum: int | None = None,
) -> SafeString:
    """Horizontal bars, one per row, each split into the series' values, with a legend below.

    `rows` are (label, {series key: value}); bars share one scale, up to `maximum` (by default
    the largest row total) so that charts drawn side by side can be compared.
    """
    bar_height, gap, top = 24, 10, 8
    totals = [sum(values.get(item.key, 0) for item in series) for _label, values in rows]
    scale_to = max(maximum or 0, *totals, 1)
    label_width = max((_text_width(label) for label, _values in rows), default=0) + 16
    total_width = _text_width(str(scale_to)) + 16
    plot_width = max(width - label_width - total_width, 60)

    body = []
    y = top
    for (label, values), total in zip(rows, totals, strict=True):
        text_y = y + bar_height / 2 + 4
        body.append(
            f'<text x="{_number(label_width - 8)}" y="{_number(text_y)}" text-anchor="end" '
            f'fill="{INK}">{escape(label)}</text>'
        )
        body.append(
            f'<rect x="{_number(label_width)}" y="{_number(y)}" width="{_number(plot_width)}" '
            f'height="{bar_height}" fill="{TRACK}"/>'
        )
        x = label_width
        for item in series:
            value = values.get(item.key, 0)
            if not value:
                continue
            segment = plot_width * value / scale_to
            body.append(
                f'<rect x="{_number(x)}" y="{_number(y)}" width="{_number(segment)}" '
                f'height="{bar_height}" fill="{item.colour}" stroke="#ffffff" stroke-width="1">'
                f"<title>{escape(item.label)}: {value}</title></rect>"
            )
            if segment >= _text_width(str(value)) + 8:
                body.append(
                    f'<text x="{_number(x + segment / 2)}" y="{_number(text_y)}" '
                    f'text-anchor="middle" fill="#ffffff">{value}</text>'
                )
            x += segment
        body.append(
            f'<text x="{_number(label_width + plot_width + 8)}" y="{_number(text_y)}" '
            f'fill="{INK}" font-weight="700">{total}</text>'
        )
        y += bar_height + gap

    legend, legend_height = _legend(series, width=width, top=y + 4)
    body.extend(legend)
    return _svg(width, y + 4 + legend_height, chart_summary(title, rows, series), title, body)


def _legend(series: Sequence[Series], *, width: float, top: float) -> tuple[list[str], float]:
    """Swatches with their labels, wrapped onto as many lines as the width needs."""
    swatch, line_height = 12, 20
    markup = []
    x, y = 0.0, top
    for item in series:
        item_width = swatch + 6 + _text_width(item.label) + 16
        if x and x + item_width > width:
            x, y = 0.0, y + line_height
        markup.append(
            f'<rect x="{_number(x)}" y="{_number(y + 2)}" width="{swatch}" height="{swatch}" '
            f'fill="{item.colour}"/>'
            f'<text x="{_number(x + swatch + 6)}" y="{_number(y + 12)}" fill="{INK}">'
            f"{escape(item.label)}</text>"
        )
        x += item_width
    return markup, y - top + line_height


def bar(
    value: int, maximum: int, *, label: str, colour: str = EVIDENCE_COLOUR, width: int = 120
) -> SafeString:
    """A small bar for a table row: `value` out of `maximum` on a light track.

    `label` says what the bar shows, numbers included (it is what screen readers announce).
    """
    height = 12
    filled = width * min(value, maximum) / maximum if maximum > 0 else 0
    body = [f'<rect x="0" y="0" width="{width}" height="{height}" fill="{TRACK}"/>']
    if filled:
        body.append(
            f'<rect x="0" y="0" width="{_number(filled)}" height="{height}" fill="{colour}"/>'
        )
    return _svg(width, height, label, label, body)


def mechanism_chart(evidence, *, maximum: int | None = None) -> SafeString:
    """A mechanism's evidence (a MechanismEvidence) as one bar per phase, split by valence."""
    return stacked_bar_chart(
        [(phase.label, phase.valence) for phase in evidence.phases],
        valence_series(),
        title=_("Excerpts about “%(mechanism)s” by phase and valence")
        % {"mechanism": evidence.name},
        maximum=maximum,
    )


def mechanism_charts(mechanisms) -> list[tuple]:
    """(mechanism, chart) pairs drawn to one scale, so that bars compare across mechanisms."""
    maximum = max((phase.total for item in mechanisms for phase in item.phases), default=0)
    return [(item, mechanism_chart(item, maximum=maximum)) for item in mechanisms]
