"""Hostile requests get a 4xx before any view runs: NUL bytes, absurd ids, JSON nested deeply.

PostgreSQL cannot store NUL, integer columns are 32-bit, and the JSON parser recurses once per
nesting level: left alone, each of these became a 500.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from eventhub.inputs import INT_MAX

# Far deeper than any document the API accepts, far shallower than the recursion limit.
MAX_JSON_DEPTH = 64
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


class Int32Converter(IntegerConverter):
    """`<int:…>` in a route: an id beyond a database integer does not match (404)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max", INT_MAX)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """Whether brackets nest deeper than `limit` outside strings (a cheap scan, no parsing)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth, in_string, escaped = 0, False, False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def _has_nul(values: object) -> bool:
    return any("\x00" in key or any("\x00" in v for v in vs) for key, vs in values.lists())  # type: ignore[attr-defined]


def refuse_hostile_input() -> None:
    # No query string, no arguments to parse (most reads of the public pages).
    if "\x00" in request.path or (request.query_string and _has_nul(request.args)):
        raise BadRequest("The address holds a NUL character.")
    if request.method in {"POST", "PUT", "PATCH", "DELETE"}:
        if request.is_json:
            body = request.get_data(cache=True)
            if b"\x00" in body or b"\\u0000" in body:
                raise BadRequest("The JSON body holds a NUL character.")
            if json_depth_exceeds(body, MAX_JSON_DEPTH):
                raise BadRequest(f"The JSON body is nested deeper than {MAX_JSON_DEPTH} levels.")
        elif request.mimetype in _FORM_TYPES and _has_nul(request.form):
            raise BadRequest("A form field holds a NUL character.")


def install_request_guards(app: Flask) -> None:
    app.url_map.converters["int"] = Int32Converter
    app.before_request(refuse_hostile_input)
