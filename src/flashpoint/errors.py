"""flashpoint's one exception tree. Every message has a stable code and says what to do.

Codes: E1xx input, E2xx usage/settings, E3xx gazetteer, E4xx models/pipeline,
E5xx storage, E6xx evaluation data.
"""

from __future__ import annotations


class FlashpointError(Exception):
    """Base of every error flashpoint raises on purpose. ``str(err)`` is one line for a user."""

    code = "E000"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return f"[{self.code}] {self.args[0]}"


class InputError(FlashpointError):
    """A document cannot be read or processed (recorded as a failure; the run goes on)."""

    code = "E100"


class UsageError(FlashpointError):
    """Bad command-line usage or settings (exit status 2)."""

    code = "E200"


class GazetteerError(FlashpointError):
    """The gazetteer cannot be built, opened or imported into."""

    code = "E300"


class ModelError(FlashpointError):
    """An NLP pipeline or a trained model cannot be loaded."""

    code = "E400"


class StoreError(FlashpointError):
    """The database cannot be opened, migrated or written."""

    code = "E500"


class EvaluationError(FlashpointError):
    """Gold data for evaluation cannot be read."""

    code = "E600"


# Input errors with their own codes, so that failures can be grouped and counted.
E_EMPTY = "E101"
E_BINARY = "E102"
E_TOO_LARGE = "E103"
E_NOT_ENGLISH = "E104"
E_UNREADABLE = "E105"
E_BAD_JSON = "E106"
E_NOT_FOUND = "E107"
E_NOT_REGULAR = "E108"
E_PROCESSING = "E199"
