"""Masks that hide words in a transcript without moving any other word."""


def same_length_mask(mark: str, length: int) -> str:
    """`mark` cut or padded with spaces to `length` characters, so every offset after the
    masked words (excerpts, turns, REFI-QDA selections) stays valid."""
    return mark[:length].ljust(length)
