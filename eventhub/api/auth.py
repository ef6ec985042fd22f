"""Bearer-token authentication for the organiser API."""

from __future__ import annotations

from eventhub.accounts.bearer import token_organiser

# The OpenAPI `security` of every organiser operation.
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]

__all__ = ["BEARER", "token_organiser"]
