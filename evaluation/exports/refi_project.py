"""The REFI-QDA project (`.qdpx`): the coded transcripts of chosen focus groups, so that the
analysis can go on in NVivo, ATLAS.ti, MAXQDA or QualCoder.

The file is a zip of `project.qde` (QDA-XML 1.0, UTF-8 without a byte order mark) and
`sources/<GUID>.txt`, each current transcript's text. An excerpt is a PlainTextSelection at its
own offsets: positions count the characters (Unicode code points) of the source's plain text
from 0, which is how Python indexes a `str`, so they go across unchanged.

Consent: the words of a participant whose consent in force does not allow verbatim quotes are
in no file. In the sources each of their turns is replaced by a mask of the same length
("[withheld]" and spaces), so every position stays right; their selections and codings are
kept (counts do not depend on consent), over the mask. Each participant is a Case saying
whether they may be quoted, and each source names those whose words it withholds. Facilitators
are no participants: their words stay.
"""

import datetime
import io
import xml.etree.ElementTree as ET
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluation.consent import quotable_participant_ids
from evaluation.exports.excerpts import direct_links, exported_excerpts
from evaluation.exports.refi_qda import (
    ORIGIN,
    PROJECT_NAMESPACE,
    Codebook,
    add,
    capability_code_guid,
    codebook_read,
    codes_element,
    derived_guid,
    guid,
    mechanism_code_guid,
    sets_element,
    user_guid,
    xml_document,
)
from evaluation.models import (
    Coding,
    Excerpt,
    FocusGroup,
    Phase,
    Stance,
    Transcript,
    Utterance,
    Valence,
)
from evaluation.transcripts.masks import same_length_mask

WITHHELD_WORDS = gettext_lazy("[withheld]")


def _datetime(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _source_path(transcript: Transcript) -> str:
    return f"{guid(transcript.uuid)}.txt"


def _source_text(text: str, withheld_spans) -> str:
    """The transcript's text with the words of these turns masked (turns do not overlap)."""
    parts, done = [], 0
    for start, end in sorted(withheld_spans):
        parts += [text[done:start], same_length_mask(str(WITHHELD_WORDS), end - start)]
        done = end
    parts.append(text[done:])
    return "".join(parts)


def _source_description(transcript: Transcript, withheld_pseudonyms) -> str:
    group = transcript.focus_group
    lines = [
        f"{group.course.code} {group.course.title}",
        _("%(phase)s focus group, %(date)s, %(audience)s, %(mode)s, language %(language)s.")
        % {
            "phase": Phase(group.phase).label,
            "date": f"{group.held_on:%Y-%m-%d}",
            "audience": FocusGroup.Audience(group.audience).label,
            "mode": FocusGroup.Mode(group.mode).label,
            "language": group.language,
        },
        _("Transcript version %(version)s.") % {"version": transcript.version},
    ]
    if withheld_pseudonyms:
        lines.append(
            _("Withheld (no consent for verbatim quotes): %(pseudonyms)s.")
            % {"pseudonyms": ", ".join(sorted(withheld_pseudonyms))}
        )
    return "\n".join(lines)


def _selection_description(
    excerpt: Excerpt, mechanism_links, capability_links, *, with_memo: bool
) -> str:
    """What QDA-XML has no place for: valence, exemplar, linked mechanisms and capabilities
    with their stance, and the memo (left out over withheld words: it may repeat them)."""
    stances = dict(Stance.choices)
    lines = [_("Valence: %(valence)s") % {"valence": Valence(excerpt.valence).label}]
    if excerpt.is_exemplar:
        lines.append(_("Exemplar quote"))
    lines += [
        _("Mechanism: %(name)s (%(stance)s)") % {"name": link.label, "stance": stances[link.stance]}
        for link in mechanism_links
    ]
    lines += [
        _("Capability: %(code)s (%(stance)s)")
        % {"code": link.label, "stance": stances[link.stance]}
        for link in capability_links
    ]
    if with_memo and excerpt.memo.strip():
        lines.append(_("Memo: %(memo)s") % {"memo": excerpt.memo.strip()})
    if not excerpt.in_analysis:
        lines.append(_("Not counted in reports (own coding of one evaluator)."))
    return "\n".join(lines)


def _coding(selection, coding_guid, code_guid, creating_user, created) -> None:
    coding = add(
        selection, "Coding", guid=coding_guid, creatingUser=creating_user, creationDateTime=created
    )
    add(coding, "CodeRef", targetGUID=code_guid)


def _users_element(users) -> ET.Element:
    element = ET.Element("Users")
    for user in sorted(users, key=lambda user: user.get_username()):
        add(element, "User", guid=user_guid(user), name=user.get_username())
    return element


@dataclass
class Withheld:
    """The turns of participants who may not be quoted, per transcript pk."""

    spans: dict[int, list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))
    pseudonyms: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))


def _quotable_and_withheld(
    transcripts: list[Transcript], excerpts: list[Excerpt]
) -> tuple[set[int], Withheld]:
    """Who may be quoted among the speakers of the transcripts and of the excerpts, and the
    turns to withhold (two queries)."""
    turns = list(
        Utterance.objects.filter(
            transcript__in=[transcript.pk for transcript in transcripts], participant__isnull=False
        ).values_list("transcript_id", "participant_id", "participant__pseudonym", "start", "end")
    )
    quotable = quotable_participant_ids(
        {turn[1] for turn in turns} | ({e.participant_id for e in excerpts} - {None})
    )
    withheld = Withheld()
    for transcript_id, participant_id, pseudonym, start, end in turns:
        if participant_id not in quotable:
            withheld.spans[transcript_id].append((start, end))
            withheld.pseudonyms[transcript_id].add(pseudonym)
    return quotable, withheld


def _cases_element(excerpts: list[Excerpt], quotable: set[int]) -> ET.Element | None:
    """A case per participant who speaks in an exported excerpt, with their selections."""
    participants, selections = {}, defaultdict(list)
    for excerpt in excerpts:
        if excerpt.participant is not None:
            participants[excerpt.participant_id] = excerpt.participant
            selections[excerpt.participant_id].append(excerpt)
    if not participants:
        return None
    cases = ET.Element("Cases")
    for participant in sorted(participants.values(), key=lambda p: p.pseudonym):
        case = add(cases, "Case", guid=guid(participant.uuid), name=participant.pseudonym)
        may_quote = (
            _("May be quoted verbatim in reports.")
            if participant.pk in quotable
            else _(
                "Must NOT be quoted verbatim in reports: no consent for verbatim quotes; "
                "their words are withheld in the sources, their selections keep their places."
            )
        )
        add(case, "Description", f"{participant.get_role_display()}. {may_quote}")
        for excerpt in selections[participant.pk]:
            add(case, "SelectionRef", targetGUID=guid(excerpt.uuid))
    return cases


def _sources_element(
    transcripts,
    excerpts_by_transcript,
    codings,
    links,
    codebook: Codebook,
    as_code_branch,
    withheld: Withheld,
    quotable: set[int],
) -> ET.Element:
    mechanism_links, capability_links = links
    codes = codebook.tree.codes
    mechanisms = {mechanism.pk: mechanism for mechanism in codebook.mechanisms}
    capabilities = {capability.pk: capability for capability in codebook.capabilities}
    sources = ET.Element("Sources")
    for transcript in transcripts:
        source = add(
            sources,
            "TextSource",
            guid=guid(transcript.uuid),
            name=f"{transcript.focus_group.course.code} {transcript.focus_group.title}",
            plainTextPath=f"internal://{_source_path(transcript)}",
            creatingUser=user_guid(transcript.created_by) if transcript.created_by else None,
            creationDateTime=_datetime(transcript.created_at),
        )
        add(
            source,
            "Description",
            _source_description(transcript, withheld.pseudonyms.get(transcript.pk, ())),
        )
        for excerpt in excerpts_by_transcript[transcript.pk]:
            coder = user_guid(excerpt.coder) if excerpt.coder else None
            created = _datetime(excerpt.created_at)
            selection = add(
                source,
                "PlainTextSelection",
                guid=guid(excerpt.uuid),
                startPosition=excerpt.start,
                endPosition=excerpt.end,
                creatingUser=coder,
                creationDateTime=created,
            )
            add(
                selection,
                "Description",
                _selection_description(
                    excerpt,
                    mechanism_links[excerpt.pk],
                    capability_links[excerpt.pk],
                    with_memo=excerpt.participant_id is None or excerpt.participant_id in quotable,
                ),
            )
            for code_id in codings[excerpt.pk]:
                code = codes[code_id]
                _coding(
                    selection,
                    derived_guid("coding", excerpt.uuid, code.uuid),
                    guid(code.uuid),
                    coder,
                    created,
                )
            if not as_code_branch:
                continue
            for link in mechanism_links[excerpt.pk]:
                mechanism = mechanisms[link.target_id]
                _coding(
                    selection,
                    derived_guid("mechanism-coding", excerpt.uuid, mechanism.uuid),
                    mechanism_code_guid(mechanism),
                    coder,
                    created,
                )
            for link in capability_links[excerpt.pk]:
                capability = capabilities[link.target_id]
                _coding(
                    selection,
                    derived_guid("capability-coding", excerpt.uuid, capability.uuid),
                    capability_code_guid(capability),
                    coder,
                    created,
                )
    return sources


def project_name(transcripts: list[Transcript]) -> str:
    courses = sorted({transcript.focus_group.course.code for transcript in transcripts})
    if len(courses) == 1:
        return _("EISEN evaluation: %(course)s") % {"course": courses[0]}
    return _("EISEN evaluation")


def project_qdpx(
    *,
    user,
    transcripts: QuerySet[Transcript],
    include_all_coders: bool = False,
    as_code_branch: bool = False,
) -> bytes:
    """The `.qdpx` file for these transcripts, in twelve queries whatever their size."""
    transcripts = list(
        transcripts.select_related("focus_group__course", "created_by").order_by(
            "focus_group__course__code", "focus_group__held_on", "focus_group__title"
        )
    )
    selected = exported_excerpts(user, include_all_coders=include_all_coders).filter(
        transcript__in=[transcript.pk for transcript in transcripts]
    )
    excerpts = list(
        selected.select_related("coder", "participant").order_by(
            "transcript_id", "start", "end", "pk"
        )
    )
    excerpts_by_transcript = defaultdict(list)
    for excerpt in excerpts:
        excerpts_by_transcript[excerpt.transcript_id].append(excerpt)
    codings = defaultdict(list)
    for excerpt_id, code_id in Coding.objects.filter(excerpt__in=selected.values("pk")).values_list(
        "excerpt_id", "code_id"
    ):
        codings[excerpt_id].append(code_id)
    links = direct_links(selected)
    codebook = codebook_read(
        extra_capability_ids={link.target_id for found in links[1].values() for link in found}
        if as_code_branch
        else ()
    )
    code_order = {code.pk: index for index, (code, _depth) in enumerate(codebook.tree.walk())}
    for code_ids in codings.values():
        code_ids.sort(key=lambda code_id: code_order.get(code_id, len(code_order)))

    now = timezone.now()
    root = ET.Element(
        "Project",
        {
            "xmlns": PROJECT_NAMESPACE,
            "name": project_name(transcripts),
            "origin": ORIGIN,
            "creatingUserGUID": user_guid(user),
            "creationDateTime": _datetime(now),
        },
    )
    users = {user.pk: user}
    users.update({t.created_by.pk: t.created_by for t in transcripts if t.created_by})
    users.update({e.coder.pk: e.coder for e in excerpts if e.coder})
    root.append(_users_element(users.values()))
    if (codes := codes_element(codebook, as_code_branch=as_code_branch)) is not None:
        add(root, "CodeBook").append(codes)
    quotable, withheld = _quotable_and_withheld(transcripts, excerpts)
    if (cases := _cases_element(excerpts, quotable)) is not None:
        root.append(cases)
    if transcripts:
        root.append(
            _sources_element(
                transcripts,
                excerpts_by_transcript,
                codings,
                links,
                codebook,
                as_code_branch,
                withheld,
                quotable,
            )
        )
    if (sets := sets_element(codebook, member_attribute="targetGUID")) is not None:
        root.append(sets)
    add(
        root,
        "Description",
        _(
            "Exported from %(origin)s on %(date)s by %(user)s. The sources are pseudonymised "
            "focus-group transcripts. The words of participants who gave no consent for "
            "verbatim quotes are replaced by “%(mask)s” and spaces, as long as the words, so "
            "every position stays right; their selections and codings are kept. Never quote "
            "them in reports."
        )
        % {
            "mask": WITHHELD_WORDS,
            "origin": ORIGIN,
            "date": f"{timezone.localdate(now):%Y-%m-%d}",
            "user": user.get_username(),
        },
    )

    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", xml_document(root))
        for transcript in transcripts:
            text = _source_text(transcript.text, withheld.spans.get(transcript.pk, ()))
            archive.writestr(f"sources/{_source_path(transcript)}", text.encode("utf-8"))
    return output.getvalue()
