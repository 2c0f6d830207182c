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

# Codes by meaning: a raise site names what went wrong, and every code lives here.
E_BAD_OPTION = "E201"
E_NO_SUCH_SOURCE = "E202"
E_DAMAGED_STATE = "E203"
E_RUN_EXISTS = "E204"
E_RUN_OTHER_INPUTS = "E205"
E_NO_SCHEDULER = "E206"
E_NOT_A_RUN = "E207"
E_MISSING_EXTRA = "E210"
E_GAZETTEER_BUILD = "E301"
E_GAZETTEER_OPEN = "E302"
E_GEONAMES_DUMP = "E303"
E_DOWNLOAD = "E304"
E_GAZETTEER_DISK = "E305"
E_NO_SPACY_MODEL = "E401"
E_NO_MODEL = "E402"
E_BAD_MODEL_OR_DATA = "E403"
E_NO_ENCODER = "E404"
E_BAD_DATABASE = "E501"
E_NO_DATABASE_DRIVER = "E502"
E_NO_DATABASE_DIRECTORY = "E503"
E_DATABASE_WRITE = "E504"
E_DATABASE_OPEN = "E505"
E_DATABASE_READ_ONLY = "E506"
E_DISK_FULL = "E507"
E_NO_EVENT = "E510"
E_WRONG_INCIDENT = "E511"
E_ALREADY_ALONE = "E512"
E_NO_INCIDENT = "E513"
E_NO_GOLD_FILE = "E601"
E_GOLD_FORMAT = "E602"
E_BAD_GOLD_FILE = "E603"
E_BAD_GOLD_VALUE = "E604"
E_BAD_GOLD_JSON = "E605"
E_BAD_GOLD_TYPE = "E606"
E_BAD_GOLD_RECORD = "E607"
E_CODER_CONTRACT = "E608"
E_JOB_FAILED = "E900"
