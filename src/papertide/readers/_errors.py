"""The error every reader-facing function raises for a value it cannot use."""


class InvalidInput(ValueError):
    """A reader-supplied value that cannot be used; the message says why."""
