"""κ and α checked against published worked examples, directly and as coded transcripts."""

import math

import numpy as np
import pytest

from eisen.roles import Role
from evaluation.agreement import (
    ALPHA_NO_VARIATION,
    KAPPA_NO_VARIATION,
    NO_PAIRABLE_UNITS,
    NO_SHARED_UNITS,
    NOT_USED,
    CodeStatus,
    agreement_for_transcript,
    ratings_agreement,
)
from tests.evaluation.factories import (
    CodeFactory,
    CodingFactory,
    ExcerptFactory,
    TranscriptFactory,
)
from tests.factories import UserFactory

nan = math.nan

# Wikipedia, "Cohen's kappa", section "Simple example" (50 grant proposals read by two readers):
# both Yes 20, A Yes / B No 5, A No / B Yes 10, both No 15; p_o = 0.7, p_e = 0.5, κ = 0.4.
# https://en.wikipedia.org/wiki/Cohen%27s_kappa#Simple_example
WIKIPEDIA_READER_A = [1] * 20 + [1] * 5 + [0] * 10 + [0] * 15
WIKIPEDIA_READER_B = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15

# Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. University of
# Pennsylvania, Departmental Papers (ASC) 43. Example A, "Binary or dichotomous data, two
# observers, no missing data": ten units; α = 0.095.
KRIPPENDORFF_BINARY_A = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
KRIPPENDORFF_BINARY_B = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]

# Same paper, example C, "Nominal data, any number of observers, missing data": four observers,
# twelve units, "." (here NaN) where an observer gave no value; α = 0.743.
KRIPPENDORFF_NOMINAL = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
]


def make_evaluator(username):
    return UserFactory(username=username, roles=[Role.EVALUATOR])


def transcript_of(turn_count, **kwargs):
    kwargs.setdefault("independent_coding", True)
    turns = [("T01" if n % 5 else "S01", f"Turn {n} says something.") for n in range(turn_count)]
    return TranscriptFactory(turns=turns, **kwargs)


def _runs(turns):
    run = []
    for turn in sorted(turns):
        if run and turn != run[-1] + 1:
            yield run
            run = []
        run.append(turn)
    if run:
        yield run


def code_turns(transcript, coder, codes, turns, **fields):
    """One excerpt per run of consecutive turns (from the first's words to the last's end)."""
    utterances = list(transcript.utterances.order_by("position"))
    fields.setdefault("in_analysis", not transcript.independent_coding)
    excerpts = []
    for run in _runs(turns):
        excerpt = ExcerptFactory(
            transcript=transcript,
            coder=coder,
            start=utterances[run[0]].start,
            end=utterances[run[-1]].end,
            **fields,
        )
        for code in codes:
            CodingFactory(excerpt=excerpt, code=code)
        excerpts.append(excerpt)
    return excerpts


def turns_rated_one(ratings):
    return [unit for unit, value in enumerate(ratings) if value == 1]


def row_for(agreement, code):
    return next(row for row in agreement.codes if row.code.id == code.id)


def test_cohens_kappa_matches_the_wikipedia_worked_example():
    result = ratings_agreement([WIKIPEDIA_READER_A, WIKIPEDIA_READER_B])

    assert result.kappas[0].kappa == pytest.approx(0.4)
    assert result.percent_agreement == pytest.approx(70.0)
    assert (result.pairable_units, result.agreed_units) == (50, 35)


def test_krippendorffs_alpha_matches_the_nominal_example_with_missing_values():
    result = ratings_agreement(KRIPPENDORFF_NOMINAL)

    assert result.alpha == pytest.approx(0.743, abs=0.0005)
    # Unit 12 has a single value: it cannot be paired and does not count.
    assert result.pairable_units == 11
    assert len(result.kappas) == 6


def test_krippendorffs_alpha_matches_the_binary_two_observer_example():
    result = ratings_agreement([KRIPPENDORFF_BINARY_A, KRIPPENDORFF_BINARY_B])

    assert result.alpha == pytest.approx(0.095, abs=0.0005)
    assert result.percent_agreement == pytest.approx(60.0)


def test_identical_constant_ratings_say_perfect_agreement_instead_of_nan():
    result = ratings_agreement([[1, 1, 1], [1, 1, 1]])

    assert result.kappas[0].kappa is None
    assert result.kappas[0].note == KAPPA_NO_VARIATION
    assert result.alpha is None
    assert result.alpha_note == ALPHA_NO_VARIATION
    assert result.percent_agreement == 100


def test_raters_who_share_no_unit_have_no_kappa_and_no_alpha():
    result = ratings_agreement([[1, 0, nan, nan], [nan, nan, 0, 1]])

    assert result.kappas[0].kappa is None
    assert result.kappas[0].note == NO_SHARED_UNITS
    assert result.alpha is None
    assert result.alpha_note == NO_PAIRABLE_UNITS
    assert result.percent_agreement is None


def test_opposite_constant_raters_have_kappa_zero():
    result = ratings_agreement([[1, 1, 1, 1], [0, 0, 0, 0]])

    assert result.kappas[0].kappa == pytest.approx(0.0)
    assert result.percent_agreement == 0


@pytest.mark.django_db
def test_transcript_agreement_from_excerpts_reproduces_the_wikipedia_kappa(
    django_assert_num_queries,
):
    transcript = transcript_of(50)
    ann, bob = make_evaluator("ann"), make_evaluator("bob")
    proposals = CodeFactory(name="Fundable")
    code_turns(transcript, ann, [proposals], turns_rated_one(WIKIPEDIA_READER_A))
    code_turns(transcript, bob, [proposals], turns_rated_one(WIKIPEDIA_READER_B))

    with django_assert_num_queries(3):
        agreement = agreement_for_transcript(transcript)

    row = row_for(agreement, proposals)
    assert agreement.coders == tuple(agreement.coding.coders)
    assert [coder.username for coder in agreement.coders] == ["ann", "bob"]
    assert agreement.unit_count == 50
    assert row.status == CodeStatus.MEASURED
    assert row.kappas[0].kappa == pytest.approx(0.4)
    assert row.percent_agreement == pytest.approx(70.0)
    assert [count.units for count in row.units_coded] == [25, 30]


@pytest.mark.django_db
def test_transcript_agreement_from_excerpts_reproduces_krippendorffs_binary_alpha():
    transcript = transcript_of(10)
    ann, bob = make_evaluator("ann"), make_evaluator("bob")
    code = CodeFactory()
    code_turns(transcript, ann, [code], turns_rated_one(KRIPPENDORFF_BINARY_A))
    code_turns(transcript, bob, [code], turns_rated_one(KRIPPENDORFF_BINARY_B))

    agreement = agreement_for_transcript(transcript)

    assert row_for(agreement, code).alpha == pytest.approx(0.095, abs=0.0005)
    assert agreement.mean_alpha == pytest.approx(0.095, abs=0.0005)
    assert agreement.alpha_codes == 1


@pytest.mark.django_db
def test_a_code_nobody_used_is_reported_as_not_used():
    transcript = transcript_of(4)
    ann, bob = make_evaluator("ann"), make_evaluator("bob")
    used, unused = CodeFactory(name="Used"), CodeFactory(name="Unused")
    code_turns(transcript, ann, [used], [0, 1])
    code_turns(transcript, bob, [used], [1, 2])

    row = row_for(agreement_for_transcript(transcript), unused)

    assert row.status == CodeStatus.NOT_USED
    assert row.note == NOT_USED
    assert row.alpha is None
    assert row.kappas == ()


@pytest.mark.django_db
def test_a_code_every_coder_gave_to_every_turn_has_perfect_agreement_and_no_kappa():
    transcript = transcript_of(6)
    ann, bob = make_evaluator("ann"), make_evaluator("bob")
    everywhere, varied = CodeFactory(name="Everywhere"), CodeFactory(name="Varied")
    code_turns(transcript, ann, [everywhere], range(6))
    code_turns(transcript, bob, [everywhere], range(6))
    code_turns(transcript, ann, [varied], [0, 1, 2])
    code_turns(transcript, bob, [varied], [0, 1, 2])

    agreement = agreement_for_transcript(transcript)

    row = row_for(agreement, everywhere)
    assert row.status == CodeStatus.MEASURED
    assert (row.kappas[0].kappa, row.kappas[0].note) == (None, KAPPA_NO_VARIATION)
    assert (row.alpha, row.alpha_note) == (None, ALPHA_NO_VARIATION)
    assert row.percent_agreement == 100
    # The mean α leaves out the code whose α is undefined.
    assert row_for(agreement, varied).alpha == pytest.approx(1.0)
    assert agreement.mean_alpha == pytest.approx(1.0)
    assert agreement.alpha_codes == 1


@pytest.mark.django_db
def test_one_coder_is_too_few_for_agreement():
    transcript = transcript_of(4)
    code = CodeFactory()
    code_turns(transcript, make_evaluator("ann"), [code], [0])

    agreement = agreement_for_transcript(transcript)

    assert row_for(agreement, code).status == CodeStatus.TOO_FEW_CODERS
    assert agreement.mean_alpha is None
    assert "at least two evaluators" in str(agreement.summary_note)


@pytest.mark.django_db
def test_a_transcript_without_turns_has_no_units_to_compare():
    transcript = TranscriptFactory(text="Nobody said anything we could attribute.")
    code = CodeFactory()
    for username in ("ann", "bob"):
        excerpt = ExcerptFactory(transcript=transcript, coder=make_evaluator(username), end=6)
        CodingFactory(excerpt=excerpt, code=code)

    agreement = agreement_for_transcript(transcript)

    assert agreement.unit_count == 0
    assert row_for(agreement, code).status == CodeStatus.NO_UNITS
    assert agreement.summary_note == "The transcript has no speaker turns to compare."


@pytest.mark.django_db
def test_an_excerpt_counts_for_every_turn_it_overlaps_and_no_other():
    transcript = transcript_of(4)
    turns = list(transcript.utterances.order_by("position"))
    ann, bob = make_evaluator("ann"), make_evaluator("bob")
    code = CodeFactory()
    # From the last word of turn 0 into the first word of turn 1.
    across = ExcerptFactory(
        transcript=transcript, coder=ann, start=turns[0].end - 3, end=turns[1].start + 4
    )
    CodingFactory(excerpt=across, code=code)
    # Only the speaker label between turns 2 and 3: no spoken words.
    label = ExcerptFactory(transcript=transcript, coder=bob, start=turns[2].end, end=turns[3].start)
    CodingFactory(excerpt=label, code=code)

    coding = agreement_for_transcript(transcript).coding

    assert coding.coded[0, 0].tolist() == [True, True, False, False]
    assert coding.coded[1, 0].tolist() == [False, False, False, False]


@pytest.mark.django_db
def test_agreed_excerpts_and_excerpts_without_a_coder_are_not_coders():
    transcript = transcript_of(4)
    ann, bob = make_evaluator("ann"), make_evaluator("bob")
    code = CodeFactory()
    code_turns(transcript, ann, [code], [0])
    code_turns(transcript, bob, [code], [0, 1])
    code_turns(transcript, ann, [code], [2, 3], is_agreed=True, in_analysis=True)
    code_turns(transcript, None, [code], [3])

    agreement = agreement_for_transcript(transcript)

    assert [coder.username for coder in agreement.coders] == ["ann", "bob"]
    assert [count.units for count in row_for(agreement, code).units_coded] == [1, 2]
    assert len(agreement.coding.agreed) == 1


@pytest.mark.django_db
def test_three_coders_get_a_kappa_for_each_pair_and_one_alpha():
    transcript = transcript_of(8)
    coders = [make_evaluator(name) for name in ("ann", "bob", "cy")]
    code = CodeFactory()
    code_turns(transcript, coders[0], [code], [0, 1, 2, 3])
    code_turns(transcript, coders[1], [code], [0, 1, 2])
    code_turns(transcript, coders[2], [code], [0, 1, 5])
    ratings = np.zeros((3, 8))
    ratings[0, [0, 1, 2, 3]] = ratings[1, [0, 1, 2]] = ratings[2, [0, 1, 5]] = 1

    row = row_for(agreement_for_transcript(transcript), code)

    expected = ratings_agreement(ratings)
    assert [(str(a), str(b)) for a, b in (pair.coders for pair in row.kappas)] == [
        ("ann", "bob"),
        ("ann", "cy"),
        ("bob", "cy"),
    ]
    assert [pair.kappa for pair in row.kappas] == [pair.kappa for pair in expected.kappas]
    assert row.alpha == pytest.approx(expected.alpha)
    assert row.agreed_units == 5


@pytest.mark.django_db
def test_codes_are_listed_in_codebook_order_with_their_path():
    parent = CodeFactory(name="Platform", position=1)
    CodeFactory(name="Navigation", parent=parent, position=0)
    CodeFactory(name="Access", position=0)

    agreement = agreement_for_transcript(transcript_of(2))

    assert [row.code.path for row in agreement.codes] == [
        "Access",
        "Platform",
        "Platform › Navigation",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("positions", [[0, 1, 2, 3], [0, 2, 1, 3]], ids=["in_order", "swapped"])
def test_each_excerpt_is_on_exactly_the_turns_it_overlaps_whatever_their_order(positions):
    transcript = transcript_of(4)
    turns = list(transcript.utterances.order_by("position"))
    for turn, position in zip(turns, positions, strict=True):
        turn.position = position + 10
        turn.save()
    for turn in turns:
        turn.position -= 10
        turn.save()
    coder = make_evaluator("ann")
    spans = [
        (turns[1].start, turns[1].end),  # exactly one turn
        (turns[0].end, turns[1].start),  # only the speaker label between two turns
        (turns[0].end - 1, turns[0].end),  # the last character of a turn
        (turns[2].start, turns[2].start + 1),  # the first character of a turn
        (turns[0].start, turns[3].end),  # every turn
        (turns[1].end - 2, turns[2].start + 2),  # across a turn boundary
    ]
    for start, end in spans:
        ExcerptFactory(transcript=transcript, coder=coder, start=start, end=end)

    coding = agreement_for_transcript(transcript).coding

    in_position_order = sorted(turns, key=lambda turn: turn.position)
    for excerpt in coding.excerpts:
        expected = [
            index
            for index, turn in enumerate(in_position_order)
            if turn.start < excerpt.end and turn.end > excerpt.start
        ]
        assert excerpt.units.tolist() == expected, excerpt.span
    assert sorted(len(excerpt.units) for excerpt in coding.excerpts) == [0, 1, 1, 1, 2, 4]
