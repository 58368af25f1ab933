"""The API reference pages (Swagger UI and Redoc) served under the site's Content-Security-Policy.

drf-spectacular's own templates start both UIs with inline script and style; ours load every
script from a file instead. Redoc inserts its styles as <style> elements, which the policy lets
through only with this response's nonce, handed to Redoc by static/js/redoc-init.js; the one
stylesheet its bundle adds before it starts (and the empty element it first inserts) are admitted
by their hashes, which change only with the pinned drf-spectacular-sidecar. Its search runs in
a worker it makes from a blob: URL.
"""

from csp.constants import NONCE
from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "eisen/api_docs/swagger_ui.html"


REDOC_BUNDLE_STYLES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
]


@method_decorator(
    csp_update({"style-src": [NONCE, *REDOC_BUNDLE_STYLES], "worker-src": ["blob:"]}),
    name="dispatch",
)
class RedocView(SpectacularRedocView):
    template_name = "eisen/api_docs/redoc.html"
