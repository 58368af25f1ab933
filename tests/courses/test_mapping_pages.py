"""The mapping picker and the grid: outcomes mapped to the capabilities of the course's framework.

Cell labels read "LO1 × K2: Reinforced", with a multiplication sign.
"""

import re

import pytest
from django.urls import reverse

from courses.models import OutcomeMapping
from tests.factories import (
    CapabilityFactory,
    CourseFactory,
    DomainFactory,
    FrameworkFactory,
    LearningOutcomeFactory,
    OutcomeMappingFactory,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def course(course_lead):
    framework = FrameworkFactory(title="EISEN Competency Framework", version_label="1.0")
    knowledge = DomainFactory(framework=framework, code="K", name="Knowledge", position=0)
    skills = DomainFactory(framework=framework, code="S", name="Skills", position=1)
    CapabilityFactory(
        domain=knowledge,
        code="K1",
        title="Implementation theories",
        description="Frameworks and models.",
        position=0,
    )
    CapabilityFactory(
        domain=knowledge,
        code="K2",
        title="Research designs",
        description="Hybrid trials.",
        position=1,
    )
    CapabilityFactory(
        domain=skills,
        code="S1",
        title="Stakeholder engagement",
        description="Working with partners.",
        position=0,
    )
    course = CourseFactory(code="IMP101", framework=framework, leads=[course_lead])
    LearningOutcomeFactory(course=course, code="LO1", position=0)
    LearningOutcomeFactory(course=course, code="LO2", position=1)
    return course


def _capability(course, code):
    return course.framework.capabilities.get(code=code)


def _outcome(course, code):
    return course.outcomes.get(code=code)


def _picker_url(course, outcome_code="LO1"):
    return reverse(
        "courses:mapping_picker", args=[course.uuid, _outcome(course, outcome_code).uuid]
    )


def _mappings(course):
    return sorted(
        (mapping.outcome.code, mapping.capability.code, mapping.emphasis, mapping.note)
        for mapping in OutcomeMapping.objects.filter(outcome__course=course).select_related(
            "outcome", "capability"
        )
    )


# The picker


def test_picker_lists_only_the_course_framework_grouped_by_domain(lead_client, course):
    CapabilityFactory(code="X9", title="Of another framework")
    html = lead_client.get(_picker_url(course)).content.decode()
    assert html.index("<h3>Knowledge") < html.index("K1") < html.index("<h3>Skills")
    assert html.index("<h3>Skills") < html.index("S1")
    assert "Of another framework" not in html
    assert 'for="emphasis-' in html
    assert "IMP101 maps to “EISEN Competency Framework 1.0”" in html


def test_picker_search_filters_on_code_title_and_description(lead_client, course):
    url = _picker_url(course)
    by_title = lead_client.get(url, {"q": "stakeholder"}, **HTMX).content.decode()
    assert by_title.lstrip().startswith('<div id="picker"')
    assert "Stakeholder engagement" in by_title
    assert "Implementation theories" not in by_title
    by_description = lead_client.get(url, {"q": "hybrid"}, **HTMX).content.decode()
    assert "Research designs" in by_description
    assert "Stakeholder engagement" not in by_description
    by_code = lead_client.get(url, {"q": "k1"}, **HTMX).content.decode()
    assert "Implementation theories" in by_code
    assert "Research designs" not in by_code
    nothing = lead_client.get(url, {"q": "zebra"}, **HTMX).content.decode()
    assert "No capability of this framework matches." in nothing


def test_mapping_in_the_picker_then_changing_and_removing_it(lead_client, course):
    k1 = _capability(course, "K1")
    response = lead_client.post(
        _picker_url(course),
        {"capability": k1.uuid, "emphasis": "R", "note": "Week 2 seminar", "q": "theories"},
        **HTMX,
    )
    html = response.content.decode()
    assert "LO1 maps to K1: Reinforced." in html
    assert f'id="mapped-{k1.uuid}"' in html
    # The search the lead typed stays applied after the change.
    assert "Research designs" not in html
    assert _mappings(course) == [("LO1", "K1", "R", "Week 2 seminar")]

    outcome = _outcome(course, "LO1")
    change = reverse("courses:mapping_change", args=[course.uuid, outcome.uuid, k1.uuid])
    lead_client.post(change, {"emphasis": "M", "note": "Assessed in the project"}, **HTMX)
    assert _mappings(course) == [("LO1", "K1", "M", "Assessed in the project")]

    remove = reverse("courses:mapping_remove", args=[course.uuid, outcome.uuid, k1.uuid])
    removed = lead_client.post(remove, **HTMX).content.decode()
    assert "LO1 no longer maps to K1." in removed
    assert _mappings(course) == []


def test_mapping_to_a_capability_of_another_framework_names_the_course_framework(
    lead_client, course
):
    other = CapabilityFactory(code="Q1", domain__framework__title="Another framework")
    html = lead_client.post(
        _picker_url(course), {"capability": other.uuid, "emphasis": "I"}, **HTMX
    ).content.decode()
    assert "IMP101 maps to “EISEN Competency Framework 1.0” only." in html
    assert _mappings(course) == []


def test_a_duplicate_mapping_is_refused(lead_client, course):
    OutcomeMappingFactory(outcome=_outcome(course, "LO1"), capability=_capability(course, "K1"))
    html = lead_client.post(
        _picker_url(course), {"capability": _capability(course, "K1").uuid, "emphasis": "M"}, **HTMX
    ).content.decode()
    assert "LO1 already maps to K1; change that mapping&#x27;s emphasis instead." in html
    assert _mappings(course) == [("LO1", "K1", "I", "")]


def test_an_emphasis_outside_i_r_m_is_refused_in_picker_and_change(lead_client, course):
    k1 = _capability(course, "K1")
    html = lead_client.post(
        _picker_url(course), {"capability": k1.uuid, "emphasis": "X"}, **HTMX
    ).content.decode()
    assert "“X” is not an emphasis: use I (Introduced), R (Reinforced) or M (Mastered)." in html
    assert _mappings(course) == []

    OutcomeMappingFactory(outcome=_outcome(course, "LO1"), capability=k1, note="Kept")
    change = reverse(
        "courses:mapping_change", args=[course.uuid, _outcome(course, "LO1").uuid, k1.uuid]
    )
    refused = lead_client.post(change, {"emphasis": "Z", "note": "Lost?"}, **HTMX)
    assert "“Z” is not an emphasis" in refused.content.decode()
    assert _mappings(course) == [("LO1", "K1", "I", "Kept")]


def test_picker_without_htmx_redirects_back_with_the_message(lead_client, course):
    k1 = _capability(course, "K1")
    response = lead_client.post(
        _picker_url(course), {"capability": k1.uuid, "emphasis": "I", "q": "theories"}
    )
    assert response.url == f"{_picker_url(course)}?q=theories"
    page = lead_client.get(response.url).content.decode()
    assert "LO1 maps to K1: Introduced." in page


@pytest.mark.parametrize("extra", [0, 12])
def test_picker_costs_the_same_queries_at_any_size(
    lead_client, course, extra, django_assert_max_num_queries
):
    domain = course.framework.domains.get(code="S")
    outcome = _outcome(course, "LO1")
    for capability in CapabilityFactory.create_batch(extra, domain=domain):
        OutcomeMappingFactory(outcome=outcome, capability=capability)
    url = _picker_url(course)
    with django_assert_max_num_queries(12):
        response = lead_client.get(url)
    assert response.context["shown"] == 3 + extra


# The grid


def _cell_value(html, outcome, capability):
    match = re.search(rf'id="cell-{outcome.uuid}-{capability.uuid}"[^>]*value="([^"]*)"', html)
    return match.group(1)


def test_grid_has_headers_for_domains_capabilities_and_outcomes(lead_client, course):
    OutcomeMappingFactory(
        outcome=_outcome(course, "LO1"), capability=_capability(course, "K2"), emphasis="R"
    )
    html = lead_client.get(reverse("courses:grid", args=[course.uuid])).content.decode()
    assert '<th scope="colgroup" colspan="2" class="grid-domain-head">Knowledge</th>' in html
    assert '<abbr title="Research designs">K2</abbr>' in html
    assert '<span class="visually-hidden"> Research designs</span>' in html
    assert '<th scope="row" class="grid-outcome"><span class="outcome__code">LO1</span>' in html
    assert 'aria-label="LO1 × K2: Reinforced"' in html
    assert 'aria-label="LO2 × K2: not mapped"' in html
    assert html.count('aria-pressed="true"') == 1
    assert html.count('aria-pressed="false"') == 5


@pytest.mark.parametrize("role_client", ["evaluator", "plain_user"], indirect=True)
def test_readers_see_the_grid_without_buttons(role_client, course):
    OutcomeMappingFactory(outcome=_outcome(course, "LO1"), capability=_capability(course, "K1"))
    html = role_client.get(reverse("courses:grid", args=[course.uuid])).content.decode()
    assert '<button type="submit" id="cell-' not in html
    assert '<span class="visually-hidden">LO1 × K1: Introduced</span>' in html
    assert "Save each click" not in html


def test_a_click_cycles_the_cell_and_saves_it_in_place(lead_client, course):
    url = reverse("courses:grid_cell", args=[course.uuid])
    grid = lead_client.get(reverse("courses:grid", args=[course.uuid])).content.decode()
    lo1, k1 = _outcome(course, "LO1"), _capability(course, "K1")
    value = _cell_value(grid, lo1, k1)
    assert value == f"{lo1.uuid}:{k1.uuid}::"

    for expected in ("I", "R", "M", ""):
        response = lead_client.post(url, {"cell": value}, **HTMX)
        html = response.content.decode()
        assert response.status_code == 200
        assert html.lstrip().startswith(f'<button type="submit" id="cell-{lo1.uuid}-{k1.uuid}"')
        assert 'hx-swap-oob="innerHTML"' in html
        mapped = [
            (code, capability, emphasis) for code, capability, emphasis, _ in _mappings(course)
        ]
        assert mapped == ([("LO1", "K1", expected)] if expected else [])
        value = _cell_value(html, lo1, k1)
        assert value == f"{lo1.uuid}:{k1.uuid}:{expected}:{expected}"


def test_a_click_on_a_cell_someone_else_changed_shows_the_conflict_and_current_value(
    lead_client, course
):
    lo1, k1 = _outcome(course, "LO1"), _capability(course, "K1")
    OutcomeMappingFactory(outcome=lo1, capability=k1, emphasis="M")
    response = lead_client.post(
        reverse("courses:grid_cell", args=[course.uuid]),
        {"cell": f"{lo1.uuid}:{k1.uuid}::"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed the grid while you were working" in html
    assert 'aria-label="LO1 × K1: Mastered"' in html
    assert _mappings(course) == [("LO1", "K1", "M", "")]


def test_an_unreadable_cell_is_a_bad_request(lead_client, course):
    response = lead_client.post(
        reverse("courses:grid_cell", args=[course.uuid]), {"cell": "a:b:Q:"}, **HTMX
    )
    assert response.status_code == 400


def test_many_changes_are_marked_then_saved_in_one_go(lead_client, course):
    lo1, lo2 = _outcome(course, "LO1"), _outcome(course, "LO2")
    k1, s1 = _capability(course, "K1"), _capability(course, "S1")
    OutcomeMappingFactory(outcome=lo2, capability=s1, emphasis="R")
    grid = lead_client.get(reverse("courses:grid", args=[course.uuid]), {"mode": "batch"})
    html = grid.content.decode()
    assert "Save 0 changes" in html
    mark = reverse("courses:grid_mark", args=[course.uuid])

    first = lead_client.post(mark, {"cell": _cell_value(html, lo1, k1)}, **HTMX).content.decode()
    assert 'name="change"' in first
    assert "Save 1 change" in first
    assert "(not saved yet; saved: not mapped)" in first
    pending = re.search(r'name="change" value="([^"]*)"', first).group(1)
    second = lead_client.post(
        mark, {"cell": _cell_value(html, lo2, s1), "change": pending}, **HTMX
    ).content.decode()
    assert "Save 2 changes" in second
    assert _mappings(course) == [("LO2", "S1", "R", "")]

    both = [pending, re.search(r'name="change" value="([^"]*)"', second).group(1)]
    saved = lead_client.post(
        reverse("courses:grid_save", args=[course.uuid]), {"change": both}, **HTMX
    )
    assert "2 changes saved." in saved.content.decode()
    assert _mappings(course) == [("LO1", "K1", "I", ""), ("LO2", "S1", "M", "")]


def test_a_cell_marked_back_to_its_saved_value_is_no_longer_pending(lead_client, course):
    lo1, k1 = _outcome(course, "LO1"), _capability(course, "K1")
    html = lead_client.post(
        reverse("courses:grid_mark", args=[course.uuid]),
        {"cell": f"{lo1.uuid}:{k1.uuid}:M:", "change": f"{lo1.uuid}:{k1.uuid}:M:"},
        **HTMX,
    ).content.decode()
    assert 'name="change"' not in html
    assert "Save 0 changes" in html


def test_a_bulk_save_with_one_bad_change_saves_nothing_and_lists_the_error(lead_client, course):
    lo1, k1 = _outcome(course, "LO1"), _capability(course, "K1")
    other = CapabilityFactory(code="Q1")
    response = lead_client.post(
        reverse("courses:grid_save", args=[course.uuid]),
        {"change": [f"{lo1.uuid}:{k1.uuid}:R:", f"{lo1.uuid}:{other.uuid}:I:"]},
        **HTMX,
    )
    html = response.content.decode()
    assert "Nothing was saved." in html
    assert "IMP101 maps to “EISEN Competency Framework 1.0” only." in html
    # The lead's marked change stays on the grid, ready to save once the bad one is gone.
    assert 'name="change" value="' + f"{lo1.uuid}:{k1.uuid}:R:" in html
    assert _mappings(course) == []


def test_a_bulk_save_over_someone_elses_change_is_refused_and_shows_what_is_saved_now(
    lead_client, course
):
    lo1, lo2 = _outcome(course, "LO1"), _outcome(course, "LO2")
    k1, k2 = _capability(course, "K1"), _capability(course, "K2")
    OutcomeMappingFactory(outcome=lo1, capability=k1, emphasis="M")
    response = lead_client.post(
        reverse("courses:grid_save", args=[course.uuid]),
        {"change": [f"{lo1.uuid}:{k1.uuid}:I:", f"{lo2.uuid}:{k2.uuid}:R:"]},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "is now “Mastered”, not “not mapped”" in html
    assert "(not saved yet; saved: Mastered)" in html
    assert f'name="change" value="{lo1.uuid}:{k1.uuid}:I:M"' in html
    assert _mappings(course) == [("LO1", "K1", "M", "")]


def test_saving_with_nothing_marked_says_so(lead_client, course):
    html = lead_client.post(
        reverse("courses:grid_save", args=[course.uuid]), **HTMX
    ).content.decode()
    assert "Nothing to save" in html


def test_the_grid_works_without_javascript(lead_client, course):
    lo1, k1 = _outcome(course, "LO1"), _capability(course, "K1")
    cell = f"{lo1.uuid}:{k1.uuid}::"
    clicked = lead_client.post(reverse("courses:grid_cell", args=[course.uuid]), {"cell": cell})
    assert clicked.url == reverse("courses:grid", args=[course.uuid])
    assert _mappings(course) == [("LO1", "K1", "I", "")]

    marked = lead_client.post(
        reverse("courses:grid_mark", args=[course.uuid]), {"cell": f"{lo1.uuid}:{k1.uuid}:I:I"}
    )
    assert "<html" in marked.content.decode()
    assert "Save 1 change" in marked.content.decode()
    saved = lead_client.post(
        reverse("courses:grid_save", args=[course.uuid]),
        {"change": f"{lo1.uuid}:{k1.uuid}:R:I"},
    )
    assert saved.url == f"{reverse('courses:grid', args=[course.uuid])}?mode=batch"
    assert _mappings(course) == [("LO1", "K1", "R", "")]


@pytest.mark.parametrize(("outcomes", "capabilities"), [(0, 0), (10, 15)])
def test_grid_costs_the_same_queries_at_any_size(
    lead_client, course, outcomes, capabilities, django_assert_max_num_queries
):
    domain = course.framework.domains.get(code="K")
    extra = CapabilityFactory.create_batch(capabilities, domain=domain)
    for outcome in LearningOutcomeFactory.create_batch(outcomes, course=course):
        for capability in extra[:3]:
            OutcomeMappingFactory(outcome=outcome, capability=capability)
    with django_assert_max_num_queries(12):
        response = lead_client.get(reverse("courses:grid", args=[course.uuid]), {"mode": "batch"})
    assert len(response.context["rows"]) == 2 + outcomes


def test_a_refused_save_without_javascript_shows_the_whole_grid_once(lead_client, course):
    lo1 = _outcome(course, "LO1")
    html = lead_client.post(
        reverse("courses:grid_save", args=[course.uuid]),
        {"change": f"{lo1.uuid}:{CapabilityFactory(code='Q1').uuid}:I:"},
    ).content.decode()
    assert "Nothing was saved." in html
    assert html.count('id="grid-status"') == 1
