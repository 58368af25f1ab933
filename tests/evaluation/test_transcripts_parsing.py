"""Reading transcripts before storage: encodings, names replaced, speaker turns, text positions."""

import codecs
import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from evaluation.transcripts.carry_over import CHARACTER_DIFF_LIMIT, PositionMap
from evaluation.transcripts.decoding import MAX_TRANSCRIPT_BYTES, decoded
from evaluation.transcripts.names import parse_replacements
from evaluation.transcripts.parsing import build_text, parse_text, parse_vtt

DATA = Path(__file__).parent / "data"
PLAIN_NAMES = """Anna Berg = S01
Anna = S01
Kari Nordmann = S02
Kari = S02
Lars = S03
Ingrid Solberg = T01
"""


def sample(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def messages(error: pytest.ExceptionInfo) -> list[str]:
    return error.value.messages


# Encodings


def test_utf8_with_and_without_byte_order_mark_reads_the_same():
    text = "S01: Vi lærte mye på kurset, særlig om implementering.\n"
    assert decoded(text.encode("utf-8")) == text
    assert decoded(codecs.BOM_UTF8 + text.encode("utf-8")) == text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_read(encoding):
    text = "S01: Vi lærte mye på kurset.\n"
    raw = text.encode(encoding)
    if encoding != "utf-16":  # the plain codec writes its own mark
        raw = (codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE) + raw
    assert decoded(raw) == text


def test_latin1_is_refused_with_the_byte_offset_and_advice_to_save_as_utf8():
    raw = "S01: Det var gøy.\n".encode("latin-1")
    with pytest.raises(ValidationError) as error:
        decoded(raw)
    (message,) = messages(error)
    assert "offset 14 (0xF8)" in message
    assert "Save the file as UTF-8" in message


def test_utf16_without_a_byte_order_mark_is_refused_as_not_utf8():
    with pytest.raises(ValidationError) as error:
        decoded("S01: ok\n".encode("utf-16-le"))
    assert "NUL" in messages(error)[0]
    assert "UTF-16 without a byte order mark" in messages(error)[0]


def test_a_transcript_over_5_mb_is_refused():
    with pytest.raises(ValidationError) as error:
        decoded(b"S01: " + b"a" * MAX_TRANSCRIPT_BYTES)
    assert "the limit is 5 MB" in messages(error)[0]


# Names to replace


def test_names_are_replaced_whole_word_in_any_case_longest_first():
    names = parse_replacements("Anna = S01\nAnna Berg = S02\nBerg = S03")
    replaced = names.apply("ANNA BERG met anna and Berg; Annabelle and Bergen stay. Anna's turn.")
    assert replaced == "S02 met S01 and S03; Annabelle and Bergen stay. S01's turn."


def test_a_name_split_over_a_line_break_is_still_replaced():
    names = parse_replacements("Anna Berg = S01")
    assert names.apply("said Anna\nBerg") == "said S01"


def test_a_name_in_a_file_name_with_underscores_is_replaced():
    names = parse_replacements("Anna Berg = S01")
    assert names.apply("interview_Anna_Berg.vtt") == "interview_Anna_Berg.vtt"
    assert parse_replacements("Anna = S01\nBerg = S02").apply("interview_Anna_Berg.vtt") == (
        "interview_S01_S02.vtt"
    )


def test_unreadable_replacement_lines_are_refused_with_their_line_numbers():
    with pytest.raises(ValidationError) as error:
        parse_replacements("Anna Berg = S01\nKari S02\n\nA = S03\nanna berg = S04\n = S05")
    problems = error.value.message_dict["replacements"]
    assert problems[0].startswith("Line 2 (“Kari S02”)")
    assert problems[1].startswith("Line 4: “A” is a single letter")
    assert problems[2].startswith("Line 5: “anna berg” is already replaced by S01 on line 1")
    assert problems[3].startswith("Line 6")


def test_the_same_name_listed_twice_with_the_same_pseudonym_is_accepted():
    names = parse_replacements("Anna = S01\nanna = S01")
    assert names.apply("Anna") == "S01"


# Plain text


def test_plain_text_turns_with_labels_brackets_times_and_continuation_lines():
    text = parse_replacements(PLAIN_NAMES).apply(sample("sessions_plain.txt"))

    turns = parse_text(text)

    assert [(turn.label, turn.line) for turn in turns] == [
        ("Facilitator", 1),
        ("S01", 2),
        ("Facilitator", 4),
        ("S02", 6),
        ("S03", 7),
        ("T01", 8),
        ("Facilitator", 9),
        ("S03", 10),
    ]
    assert turns[1].words == (
        "I found the breakout rooms really useful. Meeting people from\n"
        "Sweden and Italy made me see implementation differently."
    )
    assert turns[2].words == "Thank you, S01. S02, what about you?"
    assert turns[3].spoken_at == datetime.timedelta(minutes=2, seconds=15)
    assert turns[3].words == "For me the platform was hard at first: the forum was hidden."
    assert turns[4].words == "I agree with S02. And then I said: we need a map of the modules."
    assert turns[7].words.endswith("the best part [laughs]")


def test_a_line_that_reads_as_a_sentence_stays_in_the_turn_before():
    turns = parse_text("S01: We talked.\nand then she said: no way\n[laughs] yes")
    assert len(turns) == 1
    assert turns[0].words == "We talked.\nand then she said: no way\n[laughs] yes"


def test_text_before_the_first_speaker_is_refused_with_its_line():
    with pytest.raises(ValidationError) as error:
        parse_text("\nfocus group 3, transcribed 12 May\nS01: Hello.")
    assert messages(error)[0].startswith("Line 2 (“focus group 3, transcribed 12 May”)")


def test_a_transcript_without_words_is_refused():
    with pytest.raises(ValidationError) as error:
        parse_text("S01:\nFacilitator:")
    assert "no spoken words" in messages(error)[0]


def test_the_stored_text_reads_back_as_the_same_turns():
    turns = parse_text(parse_replacements(PLAIN_NAMES).apply(sample("sessions_plain.txt")))
    text, spans = build_text(turns)

    assert text.startswith("Facilitator: Welcome, everyone,")
    for span in spans:
        assert text[span.start : span.end] == span.turn.words
    again = parse_text(text)
    assert [(turn.label, turn.words) for turn in again] == [
        (turn.label, turn.words) for turn in turns
    ]
    assert build_text(again)[0] == text


# WebVTT


def test_zoom_vtt_takes_speakers_from_the_cue_text_and_merges_a_speakers_cues():
    text = parse_replacements(PLAIN_NAMES).apply(sample("sessions_zoom.vtt"))

    turns = parse_vtt(text)

    assert [(turn.label, turn.line, turn.spoken_at) for turn in turns] == [
        ("Moderator", 4, datetime.timedelta(seconds=1.2)),
        ("S01", 8, datetime.timedelta(seconds=7.1)),
        ("S02", 16, datetime.timedelta(seconds=16.3)),
    ]
    assert turns[1].words == (
        "The module on stakeholder engagement was the one I used most. "
        "Especially the exercise with the hospital team."
    )


def test_teams_vtt_takes_speakers_from_voice_tags():
    names = parse_replacements("Lars Holm = S03\nIngrid Solberg = T01")

    turns = parse_vtt(names.apply(sample("sessions_teams.vtt")))

    assert [(turn.label, turn.words) for turn in turns] == [
        ("Moderator", "Let's start with the e-learning platform."),
        ("S03", "It worked well on my phone, but the videos did not load at the hospital."),
        ("T01", "We changed that after the formative round."),
    ]
    assert turns[2].spoken_at == datetime.timedelta(minutes=1, seconds=15.1)
    assert turns[2].line == 18  # its timing line


def test_a_cue_without_a_speaker_continues_the_turn_before():
    vtt = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v S01>First part\n\n"
        "00:00:02.000 --> 00:00:03.000\nand the rest.\n"
    )
    (turn,) = parse_vtt(vtt)
    assert turn.words == "First part and the rest."


def test_a_first_cue_without_a_speaker_is_refused_with_its_line():
    vtt = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nHello, who is this?\n"
    with pytest.raises(ValidationError) as error:
        parse_vtt(vtt)
    assert messages(error)[0].startswith("Line 4: the cue at 00:00:01.000 has no speaker")


def test_a_cue_with_two_voices_is_split_into_a_turn_for_each():
    vtt = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v S01>Hi, are you ready?</v> <v S02>Yes.</v>\n\n"
        "00:00:02.000 --> 00:00:04.000\nLet us start.\n\n"
        "00:00:04.000 --> 00:00:06.000\n<v.loud Facilitator>Good.\n<v S01>Me too</v>\n"
    )

    turns = parse_vtt(vtt)

    assert [(turn.label, turn.words, turn.line) for turn in turns] == [
        ("S01", "Hi, are you ready?", 3),
        ("S02", "Yes. Let us start.", 3),
        ("Facilitator", "Good.", 9),
        ("S01", "Me too", 9),
    ]
    assert turns[1].spoken_at == datetime.timedelta(seconds=1)


def test_empty_cues_without_a_speaker_are_skipped():
    text = parse_replacements(PLAIN_NAMES).apply(sample("sessions_zoom_empty_cues.vtt"))

    turns = parse_vtt(text)

    assert [(turn.label, turn.words, turn.line) for turn in turns] == [
        ("Moderator", "Welcome to the summative focus group.", 7),
        ("S01", "The module on stakeholder engagement was the one I used most.", 15),
    ]


def test_a_block_that_is_not_a_cue_is_refused_naming_its_line_rather_than_dropped():
    with pytest.raises(ValidationError) as error:
        parse_vtt(sample("sessions_broken_arrow.vtt"))
    (message,) = messages(error)
    assert message.startswith(
        "Line 7: “2 00:00:03.000 -> 00:00:04.000 <v S02>This cue has a broken arrow"
    )
    assert "is neither a cue nor a NOTE, STYLE or REGION block" in message
    assert "00:01:02.000 --> 00:01:05.500" in message


def test_note_style_and_region_blocks_and_a_cue_right_after_the_header_are_read():
    vtt = (
        "WEBVTT - focus group\nKind: captions\n00:00:01.000 --> 00:00:02.000\n<v S01>Hello.\n\n"
        "NOTE this is\na comment\n\nSTYLE\n::cue { color: red }\n\n"
        "00:00:02.000 --> 00:00:03.000\n<v S02>Hi.\n"
    )
    vtt_with_region = (
        "WEBVTT\n\nREGION\nid:left width:40%\n\n00:00:01.000 --> 00:00:02.000\n<v S01>Hello.\n"
    )

    assert [(turn.label, turn.line) for turn in parse_vtt(vtt)] == [("S01", 3), ("S02", 12)]
    assert [(turn.label, turn.line) for turn in parse_vtt(vtt_with_region)] == [("S01", 6)]


def test_vtt_without_the_header_is_refused():
    with pytest.raises(ValidationError) as error:
        parse_vtt(sample("sessions_no_header.vtt"))
    assert "line 1 must start with “WEBVTT” but reads “1”" in messages(error)[0]


def test_vtt_with_a_bad_timestamp_is_refused_naming_the_cue_and_its_line():
    with pytest.raises(ValidationError) as error:
        parse_vtt(sample("sessions_broken_timestamp.vtt"))
    (message,) = messages(error)
    assert message.startswith("Line 7: the cue “2 00:00:04.000 --> 00:00:6.000")
    assert "00:01:02.000 --> 00:01:05.500" in message


def test_vtt_cues_without_an_empty_line_between_them_are_refused_naming_the_line():
    with pytest.raises(ValidationError) as error:
        parse_vtt(sample("sessions_missing_blank_line.vtt"))
    assert messages(error)[0].startswith("Line 3: the cue “00:00:01.000 --> 00:00:04.000")


# Text positions across versions


def test_unchanged_passages_move_with_the_text_and_changed_ones_do_not():
    old = "S01: The platform was slow.\nS02: I liked the breakout rooms.\nS03: Me too.\n"
    new = (
        "Facilitator: Hello.\nS01: The platform was very slow.\nS02: I liked the breakout rooms.\n"
    )
    positions = PositionMap(old, new)

    liked = old.index("I liked the breakout rooms.")
    moved = positions.moved(liked, liked + len("I liked the breakout rooms."))
    assert new[moved[0] : moved[1]] == "I liked the breakout rooms."

    platform = old.index("The platform")
    assert positions.moved(platform, platform + len("The platform")) == (
        new.index("The platform"),
        new.index("The platform") + len("The platform"),
    )
    assert positions.moved(platform, old.index(" slow.") + len(" slow")) is None
    assert positions.moved(old.index("Me too."), old.index("Me too.") + 7) is None


def test_a_passage_spanning_an_unchanged_line_and_an_unchanged_part_of_a_changed_one_moves():
    old = "S01: One two.\nS02: Three four.\n"
    new = "S01: One two.\nS02: Three four five.\n"
    passage = old.index("two.")
    end = old.index(" four")
    assert PositionMap(old, new).moved(passage, end) == (passage, end)


def test_a_rewritten_stretch_longer_than_the_limit_carries_nothing():
    old = "S01: " + "word " * (CHARACTER_DIFF_LIMIT // 5) + "\n"
    new = "S01: " + "Word " * (CHARACTER_DIFF_LIMIT // 5) + "\n"
    assert PositionMap(old, new).moved(5, 9) is None
