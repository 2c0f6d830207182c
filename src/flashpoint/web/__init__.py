"""flashpoint's web app and REST API: ``create_app(store_url)`` (served by ``flashpoint serve``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["create_app"]


def create_app(store_url: Any, **options: Any) -> FastAPI:
    """Build the app (FastAPI is imported only when a web app is wanted)."""
    from flashpoint.web.app import create_app as _create

    return _create(store_url, **options)
