"""Charts are well-formed SVG, escape every text, and tell screen readers the numbers."""

import xml.etree.ElementTree as ET

import pytest

from evaluation.charts import (
    SVG_NAMESPACE,
    Series,
    bar,
    stacked_bar_chart,
    valence_series,
)

SVG = f"{{{SVG_NAMESPACE}}}"


def parse(markup):
    return ET.fromstring(str(markup))


def test_stacked_bar_chart_is_an_image_whose_label_spells_out_the_numbers():
    chart = parse(
        stacked_bar_chart(
            [
                ("Formative", {"positive": 3, "negative": 1}),
                ("Summative", {"mixed": 2, "neutral": 5}),
            ],
            valence_series(),
            title="Evidence",
        )
    )

    assert chart.tag == f"{SVG}svg"
    assert chart.get("role") == "img"
    assert chart[0].tag == f"{SVG}title"
    assert chart[0].text == "Evidence"
    assert chart.get("aria-label") == (
        "Evidence. Formative: 3 Positive, 1 Negative, 0 Mixed, 0 Neutral; total 4. "
        "Summative: 0 Positive, 0 Negative, 2 Mixed, 5 Neutral; total 7."
    )


def test_stacked_bar_segments_are_proportional_on_a_shared_scale():
    series = [Series("a", "A", "#2166ac"), Series("b", "B", "#a14a00")]
    chart = parse(
        stacked_bar_chart([("Row", {"a": 1, "b": 3})], series, title="T", maximum=8, width=400)
    )

    segments = [rect for rect in chart.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    widths = [float(rect.get("width")) for rect in segments]
    track = next(rect for rect in chart.iter(f"{SVG}rect") if rect.get("fill") == "#e6e9ee")
    # Positions are written to a tenth of a pixel.
    assert widths[1] == pytest.approx(3 * widths[0], abs=0.2)
    # Four of the eight the scale goes to: half the track.
    assert sum(widths) == pytest.approx(float(track.get("width")) / 2, abs=0.2)
    assert [rect.find(f"{SVG}title").text for rect in segments] == ["A: 1", "B: 3"]


def test_zero_values_draw_no_segment_and_the_legend_lists_every_series():
    chart = parse(stacked_bar_chart([("Row", {})], valence_series(), title="Valence"))

    assert not [rect for rect in chart.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    texts = [text.text for text in chart.iter(f"{SVG}text")]
    assert {"Positive", "Negative", "Mixed", "Neutral"} <= set(texts)
    assert "0" in texts  # the row's total


def test_text_in_charts_stays_text():
    hostile = '<script>alert("x")</script> & more'
    markup = str(
        stacked_bar_chart([(hostile, {"a": 1})], [Series("a", hostile, "#2166ac")], title=hostile)
    )
    chart = parse(markup)

    assert "<script>" not in markup
    assert chart[0].text == hostile
    assert hostile in [text.text for text in chart.iter(f"{SVG}text")]
    assert chart.get("aria-label").startswith(hostile)


def test_bar_fills_its_share_of_the_track_and_says_what_it_shows():
    chart = parse(bar(3, 12, label="3 excerpts <of> feedback", width=120))

    rects = list(chart.iter(f"{SVG}rect"))
    assert [float(rect.get("width")) for rect in rects] == [120, 30]
    assert chart.get("role") == "img"
    assert chart.get("aria-label") == "3 excerpts <of> feedback"
    assert chart.find(f"{SVG}title").text == "3 excerpts <of> feedback"


def test_bar_of_nothing_is_only_the_track():
    chart = parse(bar(0, 0, label="none"))

    assert len(list(chart.iter(f"{SVG}rect"))) == 1
