"""Absolute URLs come from EVENTHUB_BASE_URL, never from the request's Host header.

A page or API answer built for one visitor may be cached and served to all of them, so an
absolute link must not depend on anything the client sent. `external_url` works outside a
request too (Celery tasks); `EventhubFlask` makes every `url_for(..., _external=True)` use it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

from flask import Flask, current_app, has_request_context, request
from werkzeug.routing import BuildError, MapAdapter

_ANCHOR_SAFE = "%!#$&'()*+,/:;=?@"
_SYNC_CALLABLES_MAX = 1024


_ADAPTERS = "eventhub.base_adapters"


def _base_adapter(app: Flask) -> MapAdapter:
    # Bound once per base URL and app (a bound adapter only reads its map and its bindings,
    # so threads share it; rules added later are seen through the map). Binding afresh cost
    # a sign-up's confirmation link half of building it.
    base_url = app.config["EVENTHUB_BASE_URL"]
    adapters: dict[str, MapAdapter] = app.extensions.setdefault(_ADAPTERS, {})
    adapter = adapters.get(base_url)
    if adapter is None:
        base = urlsplit(base_url.rstrip("/"))
        adapter = app.url_map.bind(
            base.netloc, script_name=base.path or "/", url_scheme=base.scheme
        )
        adapters[base_url] = adapter
    return adapter


def external_url(endpoint: str, **values: Any) -> str:
    return _base_adapter(current_app).build(endpoint, values, force_external=True)


class EventhubFlask(Flask):
    """Flask whose external URLs are built on EVENTHUB_BASE_URL, and which asks whether a hook
    or view is a coroutine function once rather than on every request."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sync_callables: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        # Flask runs `inspect.iscoroutinefunction` on each of the ~17 hooks and the view of
        # every request (about 3% of a cached page); the answer never changes for a function.
        try:
            return self._sync_callables[func]
        except KeyError:
            pass
        except TypeError:  # an unhashable callable
            return super().ensure_sync(func)
        synced = super().ensure_sync(func)
        # Hooks, views and error handlers are few; a per-request callable (after_this_request)
        # is not remembered once the table is full.
        if len(self._sync_callables) < _SYNC_CALLABLES_MAX:
            self._sync_callables[func] = synced
        return synced

    def url_for(
        self,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: Any,
    ) -> str:
        if not _external:
            return super().url_for(
                endpoint,
                _anchor=_anchor,
                _method=_method,
                _scheme=_scheme,
                _external=_external,
                **values,
            )
        if endpoint[:1] == ".":
            blueprint = request.blueprint if has_request_context() else None
            endpoint = f"{blueprint}{endpoint}" if blueprint else endpoint[1:]
        self.inject_url_defaults(endpoint, values)
        try:
            url = _base_adapter(self).build(
                endpoint, values, method=_method, url_scheme=_scheme, force_external=True
            )
        except BuildError as error:
            values.update(_anchor=_anchor, _method=_method, _scheme=_scheme, _external=True)
            return self.handle_url_build_error(error, endpoint, values)
        if _anchor is not None:
            url = f"{url}#{quote(_anchor, safe=_ANCHOR_SAFE)}"
        return url
