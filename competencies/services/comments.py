"""Comments on capabilities: anyone signed in writes them, curriculum designers resolve them."""

import csv
import io

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from competencies.models import Capability, Comment, Framework


def comment_add(*, capability: Capability, author, text: str) -> Comment:
    comment = Comment(capability=capability, author=author, text=text.strip())
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def comment_resolve(*, comment: Comment, user) -> Comment:
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not comment.is_open:
        raise ValidationError(_("This comment is already resolved."))
    comment.resolved_at = timezone.now()
    comment.resolved_by = user
    comment.save()
    return comment


# A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


CSV_COLUMNS = ["capability", "title", "author", "written", "comment", "resolved", "resolved_by"]


def comments_csv(framework: Framework) -> str:
    """Every comment of the framework as CSV, one row a comment, oldest first."""
    comments = (
        Comment.objects.filter(capability__framework=framework)
        .select_related("capability", "author", "resolved_by")
        .order_by("capability__code", "created_at", "id")
    )
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(CSV_COLUMNS)
    for comment in comments:
        writer.writerow(
            [
                comment.capability.code,
                _cell(comment.capability.title),
                comment.author.get_username(),
                comment.created_at.isoformat(),
                _cell(comment.text),
                comment.resolved_at.isoformat() if comment.resolved_at else "",
                comment.resolved_by.get_username() if comment.resolved_by else "",
            ]
        )
    return output.getvalue()
