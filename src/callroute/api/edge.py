"""The rules every request's input meets before any API (native or compatible) reads it.

- **Text is text.** A string with a NUL character or a lone UTF-16 surrogate cannot be stored
  (PostgreSQL refuses both, SQLite keeps or drops them by whim) nor echoed back as UTF-8: in a
  query parameter, a path parameter, a JSON body (keys too) or a form field it is a 400
  naming where it was found.
- **JSON nests at most** :data:`MAX_JSON_DEPTH` levels, and carries no ``NaN`` or
  ``Infinity`` (they are not JSON) nor numbers too large for a float: parsing without a
  bound is a stack overflow waiting for a request.
- **A query parameter is given once.** Which of two values was meant is a guess; none of our
  operations takes a repeated parameter.

Each refusal is an :class:`~callroute.errors.ApiError`, rendered in the called API's own
error shape by the request middleware. A JSON body is parsed here once more than the API
parses it (microseconds for the bodies we take); it is walked only when its bytes could hide
a bad string or a deep nesting.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.routing import Match
from starlette.types import Scope

from callroute.errors import BadRequest, InvalidText, RepeatedParameter

MAX_JSON_DEPTH = 64

# In a JSON body, a NUL or a surrogate arrives escaped (\u0000, \ud800), or as the raw UTF-8
# bytes of a surrogate (ED A0-BF ..), which json.loads decodes with "surrogatepass"; a raw NUL
# byte is not valid JSON at all and is left to the API's own parser to refuse.
_JSON_SUSPECTS = (b"\\u", b"\xed")


def bad_char(text: str) -> str | None:
    """A description of the first character that makes ``text`` unstorable, or None."""
    if "\x00" in text:
        return "a NUL character (U+0000)"
    if text.isascii():
        return None
    for char in text:
        if "\ud800" <= char <= "\udfff":
            return f"a lone surrogate (U+{ord(char):04X})"
    return None


def check_request(scope: Scope, body: bytes | None) -> None:
    """Raise the refusal for the first rule this request breaks; return when it breaks none."""
    _check_path(scope)
    _check_query(scope)
    if body:
        content_type = _content_type(scope)
        if "json" in content_type:
            check_json(body)
            return
        # An untyped body is read as JSON, or else as a form.
        form = content_type.startswith("application/x-www-form-urlencoded")
        if form or (not content_type and not check_json(body)):
            _check_form(body)


def check_json(body: bytes) -> bool:
    """The JSON rules, on a body that may or may not be valid JSON; False when it is not.
    Invalid JSON is left to the API to refuse with its own message (several answer a wrong
    media type first)."""
    try:
        document = json.loads(body, parse_constant=_constant, parse_float=_finite)
    except RecursionError:
        raise _too_deep() from None
    except _NotFinite as exc:
        raise BadRequest(str(exc), code="malformed_json", field="body") from None
    except ValueError:  # invalid JSON, or an integer of more digits than Python reads
        return False
    suspect = any(s in body for s in _JSON_SUSPECTS)
    if suspect or body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH:
        _walk(document)
    return True


class _NotFinite(ValueError):
    pass


def _constant(name: str) -> Any:
    raise _NotFinite(f"request body is not valid JSON: {name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotFinite(f"request body is not valid JSON: the number {text[:40]} is too large")
    return value


def _too_deep() -> BadRequest:
    return BadRequest(
        f"request body nests more than {MAX_JSON_DEPTH} levels of arrays and objects",
        code="malformed_json",
        field="body",
    )


def _walk(document: Any) -> None:
    """Depth and text of a parsed document, without recursion (a deep one is the threat)."""
    pending: list[tuple[Any, str, int]] = [(document, "", 1)]
    while pending:
        value, where, depth = pending.pop()
        if isinstance(value, str):
            _refuse_text(value, where or "body")
            continue
        if isinstance(value, dict | list) and depth > MAX_JSON_DEPTH:
            raise _too_deep()
        if isinstance(value, dict):
            for key, item in value.items():
                name = f"{where}.{key}" if where else str(key)
                _refuse_text(key, name, subject="the field name")
                pending.append((item, name, depth + 1))
        elif isinstance(value, list):
            pending.extend((item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value))


def _refuse_text(text: str, field: str, *, subject: str = "the value") -> None:
    problem = bad_char(text)
    if problem is not None:
        shown = _printable(field)
        raise InvalidText(
            f"{shown}: {subject} contains {problem}, which text may not contain", field=shown
        )


def _printable(field: str) -> str:
    """The field's name, with its own bad characters escaped so that the error can be sent."""
    if bad_char(field) is None:
        return field
    return field.encode("unicode_escape", "backslashreplace").decode("ascii")


def _check_query(scope: Scope) -> None:
    raw = scope.get("query_string", b"")
    if not raw:
        return
    pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
    _check_pairs(pairs, "the parameter name")
    seen: set[str] = set()
    for name, _value in pairs:
        if name in seen:
            raise RepeatedParameter(
                f"{name}: given more than once; give each query parameter once", field=name
            )
        seen.add(name)


def _check_form(body: bytes) -> None:
    if b"%00" not in body and b"\x00" not in body:  # unquoting replaces invalid UTF-8
        return
    pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    _check_pairs(pairs, "the field name")


def _check_pairs(pairs: Iterable[tuple[str, str]], name_subject: str) -> None:
    for name, value in pairs:
        _refuse_text(name, name, subject=name_subject)
        _refuse_text(value, name)


def _check_path(scope: Scope) -> None:
    path: str = scope.get("path", "")
    if bad_char(path) is None:
        return
    for name, value in _path_params(scope):
        _refuse_text(value, name)
    _refuse_text(path, "path")


def _path_params(scope: Scope) -> Iterator[tuple[str, str]]:
    """The path parameters of the route this request will reach, to name the bad one."""
    router = getattr(scope.get("app"), "router", None)
    for route in getattr(router, "routes", ()):
        match, child = route.matches(scope)
        if match is not Match.NONE:
            for name, value in child.get("path_params", {}).items():
                if isinstance(value, str):
                    yield name, value
            return


def _content_type(scope: Scope) -> str:
    for key, value in scope.get("headers", []):
        if key == b"content-type":
            return str(value.decode("latin-1").strip().lower())
    return ""
