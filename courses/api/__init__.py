"""The courses API: institutions, programmes, courses, outcomes, mappings and coverage."""

# Options of the actions on one course (its outcomes, grid, rollover, remap): the course list's
# filters and pagination do not apply to them.
COURSE_ACTION = {"filter_backends": [], "pagination_class": None}
