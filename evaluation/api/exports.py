"""Exports as files: the quote bank (CSV or Excel) and the REFI-QDA codebook and project.

Each endpoint answers the file itself, built from the same selection forms as the exports page
(so one query string gives the same file on both). A selection that cannot be read answers 400
with the problems per parameter, as JSON; so do all other errors, whatever Accept says.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from courses.downloads import XLSX_TYPE
from evaluation.api.common import EvaluatorsOnly
from evaluation.exports.downloads import (
    CODEBOOK_TYPE,
    PROJECT_TYPE,
    codebook_file,
    file_response,
    project_file,
    quote_bank_file,
)
from evaluation.exports.forms import CodebookForm, ProjectForm, QuoteBankForm
from evaluation.models import Phase


class FileOrJSONError(BaseContentNegotiation):
    """The answer is the file whatever Accept asks for; errors are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


INCLUDE_ALL_CODERS = OpenApiParameter(
    "include_all_coders",
    bool,
    description="true: also every evaluator's own coding, not only what reports count (on "
    "blind-coded transcripts, the others' coding only once you chose to compare).",
)
QUOTE_BANK_PARAMETERS = [
    OpenApiParameter("course", OpenApiTypes.UUID, description="Focus groups of this course."),
    OpenApiParameter("phase", str, enum=Phase.values, description="Focus groups of this phase."),
    OpenApiParameter(
        "logic_model",
        OpenApiTypes.UUID,
        description="Excerpts that are evidence for a mechanism of this logic model.",
    ),
    OpenApiParameter(
        "mechanism",
        OpenApiTypes.UUID,
        description="Excerpts linked to this mechanism, or coded with a code linked to it.",
    ),
    OpenApiParameter("code", OpenApiTypes.UUID, description="This code and the codes below it."),
    INCLUDE_ALL_CODERS,
]
PROJECT_PARAMETERS = [
    OpenApiParameter("course", OpenApiTypes.UUID, description="Focus groups of this course."),
    OpenApiParameter(
        "focus_groups",
        OpenApiTypes.UUID,
        many=True,
        description="These focus groups (repeat the parameter); none: every one (of the course).",
    ),
    INCLUDE_ALL_CODERS,
    OpenApiParameter(
        "as_code_branch",
        bool,
        description="true: mechanisms and capabilities also as codes, coding the excerpts "
        "linked to them.",
    ),
]
BAD_SELECTION = OpenApiResponse(
    response=OpenApiTypes.OBJECT, description="A parameter that names nothing, with why."
)
QUOTE_BANK_DESCRIPTION = (
    "One row per coding. The quote is given only where the speaker's consent in force allows "
    "verbatim quotes; otherwise the cell says it is withheld (the row is still there)."
)


def _refusal(form) -> Response:
    return Response(
        {field: list(messages) for field, messages in form.errors.items()},
        status=status.HTTP_400_BAD_REQUEST,
    )


class ExportViewSet(viewsets.ViewSet):
    """Evaluation data as files for spreadsheets and qualitative analysis tools."""

    permission_classes = [EvaluatorsOnly]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FileOrJSONError

    def _quote_bank(self, request, file_format):
        form = QuoteBankForm(request.query_params)
        if not form.is_valid():
            return _refusal(form)
        return file_response(quote_bank_file(form, user=request.user, file_format=file_format))

    @extend_schema(
        operation_id="evaluation_exports_quote_bank_csv",
        description=QUOTE_BANK_DESCRIPTION + " UTF-8 with a header row.",
        parameters=QUOTE_BANK_PARAMETERS,
        responses={(200, "text/csv"): OpenApiTypes.BINARY, 400: BAD_SELECTION},
    )
    @action(detail=False, methods=["get"], url_path="quote-bank.csv")
    def quote_bank_csv(self, request):
        """The quote bank as CSV."""
        return self._quote_bank(request, "csv")

    @extend_schema(
        operation_id="evaluation_exports_quote_bank_xlsx",
        description=QUOTE_BANK_DESCRIPTION,
        parameters=QUOTE_BANK_PARAMETERS,
        responses={(200, XLSX_TYPE): OpenApiTypes.BINARY, 400: BAD_SELECTION},
    )
    @action(detail=False, methods=["get"], url_path="quote-bank.xlsx")
    def quote_bank_xlsx(self, request):
        """The quote bank as an Excel workbook."""
        return self._quote_bank(request, "xlsx")

    @extend_schema(
        operation_id="evaluation_exports_codebook",
        description="Every code; each mechanism and each capability linked to codes, as a set "
        "of its codes. 409 while the codebook has no code.",
        parameters=[
            OpenApiParameter(
                "as_code_branch",
                bool,
                description="true: also top-level codes Mechanisms and Capabilities with a code "
                "for each.",
            )
        ],
        responses={
            (200, CODEBOOK_TYPE): OpenApiTypes.BINARY,
            409: OpenApiResponse(OpenApiTypes.OBJECT, description="The codebook has no code."),
        },
    )
    @action(detail=False, methods=["get"], url_path="codebook.qdc")
    def codebook(self, request):
        """The codebook as a REFI-QDA codebook (.qdc)."""
        form = CodebookForm(request.query_params)
        form.is_valid()  # One tick box, always valid: this reads it.
        return file_response(codebook_file(form))

    @extend_schema(
        operation_id="evaluation_exports_project",
        description="The current transcripts of the chosen focus groups with their coded "
        "excerpts, the codebook, and the participants as cases (each saying whether they may "
        "be quoted). The words of participants without consent for verbatim quotes are "
        "replaced by a mask as long as the words, so the excerpts keep their positions.",
        parameters=PROJECT_PARAMETERS,
        responses={(200, PROJECT_TYPE): OpenApiTypes.BINARY, 400: BAD_SELECTION},
    )
    @action(detail=False, methods=["get"], url_path="project.qdpx")
    def project(self, request):
        """The coded transcripts as a REFI-QDA project (.qdpx)."""
        form = ProjectForm(request.query_params)
        if not form.is_valid():
            return _refusal(form)
        return file_response(project_file(form, user=request.user))


ROUTES = [("exports", ExportViewSet, "evaluation-export")]
