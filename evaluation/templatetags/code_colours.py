"""Code colours and tree depths as classes, for pages under a Content-Security-Policy that admits
no style attributes.

A colour #rrggbb becomes one class per channel (`cr-4c cg-6e cb-f5`); static/css/
evaluation-coding.css gives each class its channel's value and builds --code-colour from the three,
so any colour a code is given shows exactly without inline style.
"""

import re

from django import template

register = template.Library()

HEX_COLOUR = re.compile(r"#([0-9a-fA-F]{2})([0-9a-fA-F]{2})([0-9a-fA-F]{2})")
# Deeper codes are indented as much as this; codebooks rarely go past four levels.
DEEPEST_INDENT = 8


@register.filter
def colour_classes(colour: str) -> str:
    """The classes that paint an element in `colour`; without them it shows the default grey."""
    match = HEX_COLOUR.fullmatch(str(colour))
    if not match:
        return ""
    red, green, blue = (channel.lower() for channel in match.groups())
    return f"code-colour cr-{red} cg-{green} cb-{blue}"


@register.filter
def depth_class(depth: int) -> str:
    return f"depth-{min(int(depth), DEEPEST_INDENT)}"
