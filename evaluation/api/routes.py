"""The evaluation API's viewsets, registered on the one router under /api/v1/evaluation/."""

from evaluation.api import (
    actions,
    agreement,
    coding,
    exports,
    logic,
    protection,
    reports,
    sessions,
)


def register_evaluation_routes(router) -> None:
    for module in (logic, actions, sessions, coding, agreement, reports, exports, protection):
        for prefix, viewset, basename in module.ROUTES:
            router.register(f"evaluation/{prefix}", viewset, basename=basename)
