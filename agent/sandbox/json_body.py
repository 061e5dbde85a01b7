"""The JSON body of the request being served, read the way the real services read it.

A module of its own so that every route module can use it without importing the app.
"""

from __future__ import annotations

import json
from typing import Any

from flask import request

from agent.sandbox.api_errors import ApiError


def json_body(*, required: bool = True) -> Any:
    """The request's JSON body, or a 400 in the calling service's shape."""
    raw = request.get_data(cache=True)
    if not raw:
        if required:
            raise ApiError(400, "No content to map due to end-of-input")
        return None
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"Unexpected character in JSON body: {exc}") from exc
