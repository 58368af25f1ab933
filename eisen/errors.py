"""Errors that services raise and that pages and the API turn into answers the user can act on."""


class Conflict(Exception):
    """The object is in a state that does not allow the operation (HTTP 409)."""


class StaleEdit(Exception):
    """The edit was made on an out-of-date copy (HTTP 412): someone else saved in between.

    `current` is the object as it is now, so the user can see what the other person wrote.
    """

    def __init__(self, message: str, *, current):
        super().__init__(message)
        self.current = current
