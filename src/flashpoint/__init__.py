"""flashpoint: conflict reporting in, source-attributed, geocoded ACLED-style event data out."""

from __future__ import annotations

import logging

from flashpoint.errors import FlashpointError
from flashpoint.model import Claimant, CodedDocument, Document, Event, Failure, Place

__version__ = "0.1.0"

__all__ = [
    "Claimant",
    "CodedDocument",
    "Document",
    "Event",
    "Failure",
    "FlashpointError",
    "Place",
    "__version__",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
