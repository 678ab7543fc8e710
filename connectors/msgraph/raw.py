"""One Graph GET through msgraph-sdk's request adapter, with the body parsed by `json.loads`.

Why: kiota's model deserialisers (one Python call per field per object, plus the backing
store) took about two thirds of a sync's CPU, more than the HTTP stack and everything else
together. The SDK still does all the rest: its request builders build the request (URL
template, `$select`/`$filter`/`$top`, headers), its adapter sends it through the default
middleware (auth, retry honouring Retry-After, redirect, URL replace, telemetry) and maps a
failed status to `ODataError`/`APIError` with the status code and headers as before; only a
successful body is read as bytes and parsed into plain dicts, which `mapping` reads.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from connectors.errors import ConnectorError
from connectors.msgraph.fields import Json


def error_mapping() -> dict[str, Any]:
    """The error classes every generated request builder registers: ODataError for any status."""
    from msgraph.generated.models.o_data_errors.o_data_error import ODataError

    return {"XXX": ODataError}


async def get_json(
    builder: Any, config: Any = None, *, errors: dict[str, Any] | None = None
) -> Json | None:
    """GET what `builder` addresses and return the body as a dict (None for an empty answer).

    Args:
        builder: an msgraph request builder (possibly `with_url(next_link)`).
        config: its RequestConfiguration (query parameters, headers), if any.
        errors: the error mapping (default: `error_mapping()`), passed in to skip the lookup.

    Returns:
        The JSON object Graph answered with, or None for 204/304 or an empty body.

    Raises:
        APIError: (an ODataError) for a failed status, as the SDK raises it.
        ConnectorError: a successful answer whose body is not a JSON object.
    """
    info = builder.to_get_request_information(config)
    adapter = builder.request_adapter
    # kiota expands the URL template on every read of `info.url` (the auth check, the request
    # and its tracing read it three times; with a long $filter that was a fifth of the CPU left):
    # expand it once, with kiota's own expansion and the adapter's base URL, and pin the result.
    # The request shares its path-parameter dict with the builder, and pinning a URL clears
    # that dict: the request gets its own copy, or builders made from this one lose their ids.
    info.path_parameters = {**info.path_parameters, "baseurl": adapter.base_url}
    info.url = info.url
    body = await adapter.send_primitive_async(
        info, "bytes", errors if errors is not None else error_mapping()
    )
    if not body:
        return None
    try:
        parsed = json.loads(body)
    except ValueError as err:  # UnicodeDecodeError is a ValueError too
        raise ConnectorError(
            f"Graph answered {_path(info)} with a body that is not JSON ({err})", _PROXY_HINT
        ) from None
    if not isinstance(parsed, dict):
        raise ConnectorError(
            f"Graph answered {_path(info)} with JSON that is not an object", _PROXY_HINT
        )
    return parsed


_PROXY_HINT = "a proxy or gateway may be answering in Graph's place; check [m365] base_url"


def _path(info: Any) -> str:
    """The request's path, for messages (no query: filters can be long)."""
    try:
        return str(urlsplit(info.url).path)
    except Exception:  # the URL template could not be expanded: say nothing rather than fail here
        return "a request"
