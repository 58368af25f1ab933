"""The course pages: catalogue, outcomes, mapping picker, grid, rollover and remap (htmx).

Every page needs a signed-in user (anonymous users are sent to sign in). Everyone signed in reads;
changes are checked with the predicates of courses.permissions (others get 403).
"""
