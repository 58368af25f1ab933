"""Speaker turns in plain text and in WebVTT, and the stored text built from them.

Plain text: a turn starts with `LABEL: words` (optionally `LABEL (00:01:02): words`) or
`[LABEL] words`; the lines after it, up to the next label, belong to it. A label is one to four
words, the first starting with a capital letter or a digit, so that "and then I said: no" stays
part of the turn before (a pseudonym or a facilitator word is a label in any case).

WebVTT (the Zoom and Teams exports), read with webvtt-py: the speaker is the cue's voice tag
(`<v S03>`) or a `LABEL:` at the start of its text; a cue without either continues the turn
before, and one with several voice tags gives a turn to each. Consecutive cues of the same
speaker make one turn, timed by its first cue. Empty cues are skipped; a block that is neither a
cue nor a NOTE, STYLE or REGION block is refused, since webvtt-py would drop its words.

The stored text is `LABEL: words` a line per turn, which reads back as the same turns.
"""

import datetime
import io
import re
from dataclasses import dataclass

import webvtt
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from webvtt.errors import MalformedCaptionError, MalformedFileError
from webvtt.vtt import WebVTTCommentBlock, WebVTTCueBlock, WebVTTRegionBlock, WebVTTStyleBlock

# Speakers who are not participants; matched in any case.
FACILITATOR_LABELS = {"facilitator", "moderator", "interviewer", "note-taker"}
MAX_LABEL_LENGTH = 40
MAX_LABEL_WORDS = 4
# Notes a transcriber writes in brackets, which are not speakers.
BRACKETED_NOTES = {
    "crosstalk",
    "inaudible",
    "laughs",
    "laughter",
    "music",
    "noise",
    "pause",
    "silence",
    "unclear",
}

_COLON_TURN = re.compile(
    r"^(?P<label>[^\s:\[\]()][^:\[\]()]*?)\s*"
    r"(?:\((?P<time>(?:\d{1,2}:)?\d{1,2}:\d{2})\)\s*)?"
    r":(?:\s+(?P<words>.*))?$"
)
_BRACKET_TURN = re.compile(r"^\[(?P<label>[^\[\]]+)\]\s+(?P<words>\S.*)$")
_SENTENCE_MARKS = set('.,;!?"“”')
_PSEUDONYM_IN_ANY_CASE = re.compile(r"^[A-Za-z]{1,3}[0-9]{1,4}$")
# A cue tag runs from a `<` to the next `>` on its line; a voice tag is `<v S03>` or
# `<v.class S03>`, as webvtt-py reads them.
_CUE_TAG = re.compile(r"<(?P<content>[^>\r\n]*)>")
_VOICE_TAG = re.compile(r"v(?:\.\w+)*\s+(?P<name>[^>\s][^>]*)")
_CUE_FORM = gettext_lazy(
    "A cue is a timing line such as “00:01:02.000 --> 00:01:05.500” (hours optional, seconds "
    "with three decimals), then its text, with an empty line before the next cue."
)
# Only CR, LF and CRLF end a line, as in WebVTT, so line numbers agree with webvtt-py's.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass
class Turn:
    label: str
    words: str
    line: int
    spoken_at: datetime.timedelta | None = None


@dataclass(frozen=True)
class Span:
    """Where a turn's words are in the stored text."""

    turn: Turn
    start: int
    end: int


def _is_label(label: str) -> bool:
    if label.casefold() in FACILITATOR_LABELS or _PSEUDONYM_IN_ANY_CASE.match(label):
        return True
    words = label.split()
    return (
        0 < len(words) <= MAX_LABEL_WORDS
        and len(label) <= MAX_LABEL_LENGTH
        and (words[0][0].isupper() or words[0][0].isdigit())
        and not _SENTENCE_MARKS & set(label)
    )


def _clock(value: str) -> datetime.timedelta:
    parts = [int(part) for part in value.split(":")]
    hours, minutes, seconds = [0] * (3 - len(parts)) + parts
    return datetime.timedelta(hours=hours, minutes=minutes, seconds=seconds)


def _turn_start(line: str) -> tuple[str, str, datetime.timedelta | None] | None:
    """(label, words, time) when the line starts a turn."""
    match = _COLON_TURN.match(line)
    if match and _is_label(match["label"]):
        time = _clock(match["time"]) if match["time"] else None
        return match["label"].strip(), (match["words"] or "").strip(), time
    match = _BRACKET_TURN.match(line)
    if match and _is_label(match["label"]) and match["label"].casefold() not in BRACKETED_NOTES:
        return match["label"].strip(), match["words"].strip(), None
    return None


def parse_text(text: str) -> list[Turn]:
    turns: list[Turn] = []
    for number, raw_line in enumerate(_LINE_BREAK.split(text), start=1):
        line = raw_line.strip()
        if not line:
            continue
        start = _turn_start(line)
        if start:
            label, words, time = start
            turns.append(Turn(label=label, words=words, line=number, spoken_at=time))
        elif turns:
            turn = turns[-1]
            turn.words = f"{turn.words}\n{line}" if turn.words else line
        else:
            raise ValidationError(
                {
                    "content": _(
                        "Line %(number)d (“%(line)s”) comes before the first speaker. Start "
                        "each turn with its speaker, as in “S03: …” or “[T01] …”, and remove "
                        "headings above the first turn."
                    )
                    % {"number": number, "line": _shortened(line)}
                }
            )
    return _refuse_if_empty(turns)


def parse_vtt(text: str) -> list[Turn]:
    try:
        captions = webvtt.from_buffer(io.StringIO(text), strict=True).captions
    except MalformedFileError:
        first_line = _LINE_BREAK.split(text.lstrip("\ufeff"), maxsplit=1)[0].strip()
        raise ValidationError(
            {
                "content": _(
                    "This is not a WebVTT file: line 1 must start with “WEBVTT” but reads "
                    "“%(line)s”. Upload the .vtt file as exported, or a plain-text transcript."
                )
                % {"line": _shortened(first_line)}
            }
        ) from None
    except MalformedCaptionError as error:
        raise ValidationError({"content": _broken_cue_message(text, error)}) from None

    turns: list[Turn] = []
    for caption, line in zip(captions, _cue_timing_lines(text), strict=True):
        for voice, words in _voice_segments(caption.raw_text):
            label = voice
            if label is None:
                start = _turn_start(words)
                if start:
                    label, words, _time = start
            if label is None and not words:
                continue
            if label is None or (turns and label.casefold() == turns[-1].label.casefold()):
                if not turns:
                    raise ValidationError(
                        {
                            "content": _(
                                "Line %(number)d: the cue at %(time)s has no speaker. Start its "
                                "text with a voice tag such as <v S03> or with “S03:”."
                            )
                            % {"number": line, "time": caption.start}
                        }
                    )
                if words:
                    turns[-1].words = f"{turns[-1].words} {words}".strip()
                continue
            spoken_at = datetime.timedelta(milliseconds=caption.start_time.in_milliseconds())
            turns.append(Turn(label=label, words=words, line=line, spoken_at=spoken_at))
    return _refuse_if_empty(turns)


def _voice_segments(cue_text: str) -> list[tuple[str | None, str]]:
    """The cue's text split where a voice tag starts, as (voice or None, words) pairs.

    Tags are removed as webvtt-py removes them: from a `<` to the next `>` on the line.
    """
    segments: list[tuple[str | None, list[str]]] = [(None, [])]
    position = 0
    for tag in _CUE_TAG.finditer(cue_text):
        segments[-1][1].append(cue_text[position : tag.start()])
        position = tag.end()
        voice = _VOICE_TAG.fullmatch(tag["content"])
        if voice:
            segments.append((voice["name"].strip(), []))
    segments[-1][1].append(cue_text[position:])
    return [
        (voice, " ".join(line.strip() for line in "".join(parts).splitlines() if line.strip()))
        for voice, parts in segments
    ]


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """The blocks of a WebVTT text as webvtt-py sees them, each with its first line's number.

    A block ends at an empty line; in the header a cue timing line also starts a new block.
    """
    blocks, block, first = [], [], 0
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        if line and not blocks and block and "-->" in line:
            blocks.append((first, block))
            block = []
        if line:
            if not block:
                first = number
            block.append(line)
        elif block:
            blocks.append((first, block))
            block = []
    if block:
        blocks.append((first, block))
    return blocks


def _cue_timing_lines(text: str) -> list[int]:
    """The line number of each cue's timing line, in the order webvtt-py gives the cues.

    webvtt-py skips a block that is neither a cue nor a NOTE, STYLE or REGION block, such as a
    cue whose timing line lacks its `-->`; its words would be lost, so it is refused here.
    """
    lines = []
    for first, block in _blocks(text)[1:]:
        if WebVTTCueBlock.is_valid(block, strict=True):
            lines.append(first if "-->" in block[0] else first + 1)
        elif not (
            WebVTTCommentBlock.is_valid(block)
            or WebVTTStyleBlock.is_valid(block)
            or WebVTTRegionBlock.is_valid(block)
        ):
            raise ValidationError(
                {
                    "content": _(
                        "Line %(number)d: “%(block)s” is neither a cue nor a NOTE, STYLE or "
                        "REGION block, so its words would be lost. %(cue_form)s"
                    )
                    % {
                        "number": first,
                        "block": _shortened(" ".join(block)),
                        "cue_form": _CUE_FORM,
                    }
                }
            )
    return lines


def _broken_cue_message(text: str, error: MalformedCaptionError) -> str:
    """Name the first block that webvtt-py refuses on its own, and what a cue looks like."""
    for first, block in _blocks(text)[1:]:
        try:
            webvtt.from_buffer(io.StringIO("WEBVTT\n\n" + "\n".join(block)), strict=True)
        except MalformedCaptionError:
            return _("Line %(number)d: the cue “%(cue)s” is broken. %(cue_form)s") % {
                "number": first,
                "cue": _shortened(" ".join(block)),
                "cue_form": _CUE_FORM,
            }
    return _("The WebVTT file has a broken cue (%(error)s); fix it and upload the file again.") % {
        "error": error
    }


def _refuse_if_empty(turns: list[Turn]) -> list[Turn]:
    if not any(turn.words for turn in turns):
        raise ValidationError(
            {"content": _("The transcript has no spoken words: nothing would be stored.")}
        )
    return turns


def _shortened(line: str, limit: int = 80) -> str:
    return line if len(line) <= limit else line[: limit - 1] + "…"


def build_text(turns: list[Turn]) -> tuple[str, list[Span]]:
    """The stored text, `LABEL: words` a line per turn, and where each turn's words are.

    Turns without words are left out.
    """
    parts, spans, length = [], [], 0
    for turn in turns:
        if not turn.words:
            continue
        prefix = f"{turn.label}: "
        start = length + len(prefix)
        spans.append(Span(turn=turn, start=start, end=start + len(turn.words)))
        parts.append(f"{prefix}{turn.words}\n")
        length = start + len(turn.words) + 1
    return "".join(parts), spans
