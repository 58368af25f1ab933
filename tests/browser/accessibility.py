"""What the browser tests check about accessibility: axe-core's serious and critical findings, and
whether the focused element shows where the focus is."""

from axe_playwright_python.sync_playwright import Axe

FAILING_IMPACTS = ("serious", "critical")

AXE_SCRIPT = Axe().axe_script


def _target(node: dict) -> str:
    # A target is a list of selectors: one per frame or shadow root the element is inside.
    return " >>> ".join(
        " ".join(part) if isinstance(part, list) else part for part in node["target"]
    )


def start_axe(page) -> None:
    """Start axe-core on the page as it is now, without waiting: finish_axe() gives what it
    found. Meanwhile the test may go on in other pages."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    page.evaluate("() => { window.eisenAxe = axe.run(document, {resultTypes: ['violations']}); }")


def finish_axe(page) -> list[str]:
    """axe-core's serious and critical violations found since start_axe(), one line each: the
    rule, its impact, what it asks for and the elements that break it."""
    response = page.evaluate("() => window.eisenAxe")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}: "
        + ", ".join(_target(node) for node in violation["nodes"])
        for violation in response["violations"]
        if violation["impact"] in FAILING_IMPACTS
    ]


def serious_violations(page) -> list[str]:
    start_axe(page)
    return finish_axe(page)


def load_axe_in_every_page(context) -> None:
    """Have axe-core in each page the context opens from the start: one injection fewer per page
    than serious_violations() makes in a page without it."""
    context.add_init_script(script=AXE_SCRIPT)


def assert_accessible(page, where: str = "") -> None:
    problems = serious_violations(page)
    assert problems == [], f"axe-core on {where or page.url}:\n  " + "\n  ".join(problems)


FOCUS_STYLE = """() => {
    const element = document.activeElement;
    if (!element || element === document.body) { return null; }
    const style = getComputedStyle(element);
    return {
        tag: element.tagName.toLowerCase(),
        name: (element.getAttribute("aria-label") || element.textContent || element.name || "")
            .trim().slice(0, 60),
        outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
            ? `${style.outlineWidth} ${style.outlineStyle} ${style.outlineColor}` : "",
        shadow: style.boxShadow === "none" ? "" : style.boxShadow,
    };
}"""


def focused_element_indicator(page) -> dict | None:
    """The focused element (tag and name) and its outline and box shadow, empty when it has none;
    None when nothing has the focus."""
    return page.evaluate(FOCUS_STYLE)
