"""The permission matrix of the whole app: every route of the URL configuration (pages, the API
router, exports, coverage, evaluation, CASE, health; not the admin site) × each method it takes
of GET, POST, PUT, PATCH, DELETE × seven roles, against the answers in tests/permissions/table.py.
A route with no entry in the table fails here, by name, so that a new route is thought about.

At the time of writing: 243 routes, asked as 301 cases (routes naming a framework, a domain, a
capability, a link or a comment are asked about a published framework and about a draft; the
export routes about each kind of export), 430 case × method pairs, 3,010 cells with the roles;
one test per case and role (2,107), its id naming the methods. The run prints the current size.

Requests carry no body, except the few creations whose permission depends on the object the body
names (BODIES). What is checked is who is let in, not whether the request succeeds:

- served: 2xx, a redirect that is not to the sign-in page, 400, 409, 412 or 428, and 404 for a
  write (its body is missing or made up): the view answered about the request's content;
- refused: 401 or 403, or a redirect to the sign-in page for anonymous visitors of a page (the
  API, CASE and health answer them 401 or 403); 404 too where the table says the object is hidden;
- 405 is accepted anywhere, but a policy for reading must be served by GET, and one for writing
  by at least one of the other methods.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.urls import URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from tests.permissions.table import (
    ANONYMOUS,
    DESIGNER,
    LEAD_OF_THIS_COURSE,
    PARTS,
    PLAIN_USER,
    ROLES,
    TABLE,
    Rule,
)

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")
WRITES = METHODS[1:]
#: The admin site keeps its own permissions (is_staff); static files are not routes of the app.
LEFT_OUT = ("admin/", "static/")
REFUSED = {401, 403}
FRAMEWORK_PARAMETERS = {
    "framework_uuid",
    "domain_uuid",
    "capability_uuid",
    "association_uuid",
    "comment_id",
}
FRAMEWORK_BASENAMES = {"framework", "domain", "capability", "association", "comment"}
FRAMEWORK_VARIANTS = ("published", "draft")
EXPORT_VARIANTS = ("curriculum", "evaluation-report")


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    parameters: tuple[str, ...]
    #: The API, CASE and health answer anonymous callers 401/403, not with the sign-in page.
    api: bool
    #: The router's basename, for the API's routes.
    basename: str | None
    #: The methods the view takes; a view that does not say takes every method.
    methods: tuple[str, ...]


def _parameters(pattern) -> tuple[str, ...]:
    if isinstance(pattern, RoutePattern):
        return tuple(pattern.converters)
    return tuple(pattern.regex.groupindex)


def _methods(callback) -> tuple[str, ...]:
    """What the view takes: a viewset's actions, a class's handlers, or the method list of a
    function's require_http_methods (require_GET, require_POST), wherever it is in the wrappers."""
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is not None:
        actions = getattr(callback, "actions", None)
        taken = actions if actions is not None else [m for m in METHODS if hasattr(view_class, m)]
        return tuple(m for m in METHODS if m in taken and m in view_class.http_method_names)
    view = callback
    while view is not None:
        for name, cell in zip(view.__code__.co_freevars, view.__closure__ or (), strict=True):
            if name == "request_method_list":
                return tuple(method for method in METHODS if method.upper() in cell.cell_contents)
        view = getattr(view, "__wrapped__", None)
    return METHODS


def _routes(patterns, prefix="", namespace=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(LEFT_OUT):
            continue
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from _routes(entry.url_patterns, route, inner)
            continue
        parameters = _parameters(entry.pattern)
        if "format" in parameters:  # the router's ".json" twin of a route listed already
            continue
        name = f"{namespace}:{entry.name}" if namespace else entry.name
        yield Route(
            name=name or f"<unnamed route {route}>",
            pattern=route,
            parameters=parameters,
            api=route.startswith(("api/", "ims/", "healthz")),
            basename=getattr(entry.callback, "initkwargs", {}).get("basename"),
            methods=_methods(entry.callback),
        )


ROUTES = list(_routes(get_resolver().url_patterns))

#: Creations whose permission depends on what the body names, with the cases each is asked in
#: and the body of POST in each: this course's outcome, the case's framework or kind of export.
BODIES = {
    "api:outcome-list": (
        ("",),
        lambda world, case: {"course": str(world.objects["course"].uuid), "text": "Explain."},
    ),
    "api:mapping-list": (
        ("",),
        lambda world, case: {
            "outcome": str(world.objects["outcome"].uuid),
            "capability": str(world.frameworks["published"].association.destination.uuid),
            "emphasis": "R",
        },
    ),
    "api:comment-list": (
        FRAMEWORK_VARIANTS,
        lambda world, case: {
            "capability": str(world.frameworks[case].capability.uuid),
            "text": "What does this mean for a PhD course?",
        },
    ),
    "api:export-list": (EXPORT_VARIANTS, lambda world, case: {"kind": case, "parameters": {}}),
}


def _variants(route: Route) -> tuple[str, ...]:
    if route.name in BODIES:
        return BODIES[route.name][0]
    names = set(route.parameters)
    if route.name.startswith("case:") and names:
        return FRAMEWORK_VARIANTS
    if "course_uuid" not in names and (
        names & FRAMEWORK_PARAMETERS or (route.basename in FRAMEWORK_BASENAMES and names)
    ):
        return FRAMEWORK_VARIANTS
    if names & {"job_uuid", "kind_name"} or (route.basename == "export" and names):
        return EXPORT_VARIANTS
    return ("",)


# Path parameters ------------------------------------------------------------------------------

FIXED_VALUES = {
    "kind": "case-1.0",
    "operation": "up",
    "direction": "down",
    "table": "mapping",
    "file_format": "csv",
    "component": "activities",
    "phase": "formative",
}
#: A parameter names the world's object of its name ("outcome_uuid": the outcome), an API route
#: the object of its basename ("evaluation-focus-group": the focus group), but for these names.
OBJECT_ALIASES = {
    "import": "framework_import",
    "report": "remap_report",
    "model": "logic_model",
    "item": "logic_model_item",
    "action": "formative_action",
    "uuid": "course",
    "identity": "participant",
    "agreement": "transcript",
    "course_report": "course",
    "participant_export": "participant",
}
#: Reads that need a query to name what they show.
QUERIES = {"evaluation:excerpt_capability_row": "?index=0"}
CASE_OBJECTS = {
    "case:document": "framework",
    "case:package": "framework",
    "case:item": "capability",
    "case:association": "association",
    "case:item_associations": "capability",
}


def _object(world, route: Route, parameter: str, variant: str):
    if parameter == "job_uuid" or route.basename == "export":
        return world.exports[variant]
    if route.name in CASE_OBJECTS:
        name = CASE_OBJECTS[route.name]
    elif route.basename is not None and parameter != "report_id":
        name = route.basename.removeprefix("evaluation-").replace("-", "_")
    else:
        name = parameter.removesuffix("_uuid").removesuffix("_id")
    name = OBJECT_ALIASES.get(name, name)
    # Course routes name the course's framework: the published one.
    framework = world.frameworks[variant if variant in FRAMEWORK_VARIANTS else "published"]
    found = getattr(framework, name, None) or world.objects.get(name)
    if found is None:
        pytest.fail(f"{route.name}: add an object for its {parameter} to the world (conftest.py)")
    return found


def _identifier(obj, parameter: str):
    return obj.pk if parameter == "pk" or parameter.endswith("_id") else obj.uuid


def _path(world, route: Route, variant: str) -> str:
    kwargs = {}
    for parameter in route.parameters:
        if parameter == "kind_name":
            kwargs[parameter] = variant
        elif parameter in FIXED_VALUES:
            kwargs[parameter] = FIXED_VALUES[parameter]
        else:
            kwargs[parameter] = str(
                _identifier(_object(world, route, parameter, variant), parameter)
            )
    return reverse(route.name, kwargs=kwargs) + QUERIES.get(route.name, "")


# Answers --------------------------------------------------------------------------------------


def _answer(response) -> str:
    """served, not-found, refused, to-login, 405 or error (with the status)."""
    status = response.status_code
    if status >= 500:
        return f"error {status}"
    if status == 405:
        return "405"
    if status == 404:
        return "not-found"
    if status in REFUSED:
        return "refused"
    if 300 <= status < 400 and urlsplit(response["Location"]).path == reverse("login"):
        return "to-login"
    return "served"


def _ask(world, route: Route, variant: str, persona: str) -> dict[str, str]:
    client, path = world.client(persona), _path(world, route, variant)
    answers = {}
    for method in route.methods:
        options = {"content_type": "application/json"} if route.api else {}
        if method == "post" and route.name in BODIES:
            options["data"] = BODIES[route.name][1](world, variant)
        response = getattr(client, method)(path, **options)
        answers[method] = _answer(response)
        if response.streaming:
            # Read to the end: the test client then closes the file, keeping the connection
            # (a second close() would end the connection, and the module's transaction with it).
            b"".join(response.streaming_content)
    return answers


def _refusal(route: Route, persona: str) -> str:
    return "to-login" if persona == ANONYMOUS and not route.api else "refused"


def _problems(rule: Rule, route: Route, persona: str, answers: dict[str, str]) -> list[str]:
    problems = []
    for method, answer in answers.items():
        policy = rule.read if method == "get" else rule.write
        if policy is not None and persona in policy.allowed:
            # A write without a body may name nothing that exists; a read names what the world has.
            expected = {"served"} if method == "get" else {"served", "not-found"}
        else:
            expected = {_refusal(route, persona)} | ({"not-found"} if rule.hidden else set())
        if answer not in expected | {"405"}:
            what = policy.name if policy else "nobody: the route serves no such method"
            problems.append(
                f"{method.upper()} answered {answer}, expected {' or '.join(sorted(expected))}"
                f" (for {what})"
            )
    if rule.read and persona in rule.read.allowed and answers.get("get") in (None, "405"):
        problems.append(f"reading is for {rule.read.name} but GET is not served")
    served = [answers.get(method) for method in WRITES if answers.get(method) not in (None, "405")]
    if rule.write and persona in rule.write.allowed and not served:
        problems.append(f"writing is for {rule.write.name} but no method serves it")
    return problems


# The matrix -----------------------------------------------------------------------------------


def _rule(route: Route, variant: str) -> Rule | None:
    entry = TABLE.get(route.name)
    return entry.get(variant) if isinstance(entry, dict) else entry


def _cases():
    for route in ROUTES:
        for variant in _variants(route):
            label = f"{route.name}@{variant}" if variant else route.name
            methods = "+".join(method.upper() for method in route.methods)
            for persona in ROLES:
                yield pytest.param(route, variant, persona, id=f"{label}-{methods}-{persona}")


CASES = list(_cases())


@pytest.mark.parametrize(("route", "variant", "persona"), CASES)
def test_each_role_gets_the_answer_the_table_gives(world, route, variant, persona):
    rule = _rule(route, variant)
    if rule is None:
        pytest.fail(
            f"The route {route.name} ({route.pattern}) has no entry in tests/permissions/table.py"
            f"{f' for {variant}' if variant else ''}: write down who may read and change it."
        )
    answers = _ask(world, route, variant, persona)
    problems = _problems(rule, route, persona, answers)
    assert not problems, f"{route.pattern} as {persona}: " + "; ".join(problems)


def test_the_table_names_each_route_once_and_only_routes_that_exist():
    assert sum(len(part) for part in PARTS) == len(TABLE)
    assert sorted(set(TABLE) - {route.name for route in ROUTES}) == []


def test_each_route_name_is_one_route():
    names = [route.name for route in ROUTES]
    assert sorted({name for name in names if names.count(name) > 1}) == []


def test_the_matrix_covers_the_whole_app():
    patterns = [route.pattern for route in ROUTES]
    for prefix in ("frameworks/", "courses/", "coverage/", "evaluation/", "exports/", "api/v1/"):
        assert any(pattern.startswith(prefix) for pattern in patterns), prefix
    for name in ("healthz", "case:documents", "api:course-detail", "exports:export_download"):
        assert name in {route.name for route in ROUTES}, name
    assert not any(re.match(r"^(admin|static)/", pattern) for pattern in patterns)


# Beyond the routes: who may choose a course's leads, which gives them the right to change it.


def _newcomer_made_lead(world, persona: str, method: str) -> bool:
    """Ask, as `persona`, for a new course (POST) or a change of this course (PATCH) naming the
    plain user as a lead; whether the plain user leads a course afterwards."""
    course, newcomer = world.objects["course"], world.users[PLAIN_USER]
    if method == "patch":
        path, data = reverse("api:course-detail", kwargs={"uuid": course.uuid}), {}
    else:
        path = reverse("api:course-list")
        data = {
            "institution": course.institution_id,
            "code": "NEW1",
            "title": "A new course",
            "eqf_level": 7,
            "ects": "5",
            "academic_year": 2026,
            "semester": 1,
            "delivery_mode": "online",
            "framework": str(course.framework.uuid),
        }
    data["leads"] = [newcomer.username]
    response = getattr(world.client(persona), method)(
        path, data, content_type="application/json", headers={"If-Match": f'"{course.revision}"'}
    )
    assert response.status_code < 500, response.content
    return newcomer.led_courses.exists()


@pytest.mark.parametrize("method", ["post", "patch"])
def test_designers_choose_the_leads_of_a_course_through_the_api(world, method):
    assert _newcomer_made_lead(world, DESIGNER, method)


@pytest.mark.parametrize("method", ["post", "patch"])
def test_a_course_lead_cannot_choose_the_leads_of_a_course_through_the_api(world, method):
    assert not _newcomer_made_lead(world, LEAD_OF_THIS_COURSE, method)


def matrix_size() -> str:
    cases = [(route, variant) for route in ROUTES for variant in _variants(route)]
    pairs = sum(len(route.methods) for route, _ in cases)
    return (
        f"permission matrix: {len(ROUTES)} routes, {len(cases)} cases, {pairs} case × method "
        f"pairs × {len(ROLES)} roles = {pairs * len(ROLES)} cells in {len(CASES)} tests"
    )
