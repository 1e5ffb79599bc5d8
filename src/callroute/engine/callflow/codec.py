"""The call engine's types as JSON-safe dicts, and back, exactly.

A call's snapshot and state are stored as JSON between events, and commands and events travel
through job queues, so everything must survive ``json.dumps``/``json.loads`` unchanged: only
str, int, bool, None, lists and dicts come out. Datetimes become ISO 8601 strings, enums their
values, tuples lists, frozensets sorted lists. Commands and events carry a ``"type"`` key, the
class name in snake_case (``RingLegs`` -> ``"ring_legs"``).

The implementation walks the dataclass fields with their type hints, so a field added to
``model.py`` needs no change here. Decoding is strict about types but lenient about keys: a
missing key takes the field's default and an unknown key is ignored, so a state written by the
previous release still loads during a rolling deploy.
"""

from __future__ import annotations

import json
import re
import types
from dataclasses import MISSING, fields, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from callroute.engine.callflow import model as m

T = TypeVar("T")
_NONE = type(None)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


_COMMANDS: dict[str, type[m.Command]] = {_snake(c.__name__): c for c in get_args(m.Command)}
_EVENTS: dict[str, type[m.Event]] = {_snake(c.__name__): c for c in get_args(m.Event)}


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = get_type_hints(cls)
    return hints


def _is_dataclass_type(tp: Any) -> bool:
    return isinstance(tp, type) and is_dataclass(tp)


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType)


# --- encoding ---------------------------------------------------------------------------------


def _encode_dataclass(value: Any, cls: type) -> dict[str, Any]:
    if type(value) is not cls:
        raise TypeError(f"expected {cls.__name__}, got {type(value).__name__}")
    hints = _hints(cls)
    return {f.name: _encode(getattr(value, f.name), hints[f.name]) for f in fields(cls)}


def _encode_tagged(value: Any, registry: dict[str, Any]) -> dict[str, Any]:
    tag = _snake(type(value).__name__)
    if registry.get(tag) is not type(value):
        raise TypeError(f"{type(value).__name__} is not one of the expected types")
    return {"type": tag, **_encode_dataclass(value, type(value))}


def _encode_union(value: Any, tp: Any) -> Any:
    members = [arg for arg in get_args(tp) if arg is not _NONE]
    if value is None:
        if len(members) == len(get_args(tp)):
            raise TypeError(f"None is not a {tp}")
        return None
    if len(members) == 1:
        return _encode(value, members[0])
    if all(_is_dataclass_type(arg) for arg in members):
        return _encode_tagged(value, {_snake(arg.__name__): arg for arg in members})
    for arg in members:
        if type(value) is arg:
            return _encode(value, arg)
    raise TypeError(f"{value!r} is not a {tp}")


def _encode(value: Any, tp: Any) -> Any:
    origin = get_origin(tp)
    if _is_union(tp):
        return _encode_union(value, tp)
    if _is_dataclass_type(tp):
        return _encode_dataclass(value, tp)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return _expect(value, tp).value
    if tp is datetime:
        return _expect(value, datetime).isoformat()
    if origin is tuple:
        items = zip(_expect(value, tuple), _item_types(tp, len(value)), strict=True)
        return [_encode(item, arg) for item, arg in items]
    if origin is frozenset:
        (arg,) = get_args(tp)
        # Sorted so that equal sets always give the same JSON (stable hashes and diffs).
        return sorted((_encode(item, arg) for item in _expect(value, frozenset)), key=json.dumps)
    if origin is dict:
        key_type, value_type = get_args(tp)
        pairs = _expect(value, dict).items()
        return {_encode(k, key_type): _encode(v, value_type) for k, v in pairs}
    return _primitive(value, tp)


def _expect(value: Any, cls: type[T]) -> T:
    if not isinstance(value, cls):
        raise TypeError(f"{value!r} is not a {cls.__name__}")
    return value


def _item_types(tp: Any, count: int) -> list[Any]:
    args = get_args(tp)
    if len(args) == 2 and args[1] is Ellipsis:
        return [args[0]] * count
    if len(args) != count:
        raise TypeError(f"{tp} needs {len(args)} items, got {count}")
    return list(args)


def _primitive(value: Any, tp: Any) -> Any:
    if tp in (str, int, bool, _NONE) and type(value) is tp:
        return value
    raise TypeError(f"{value!r} is not a {getattr(tp, '__name__', tp)}")


# --- decoding ---------------------------------------------------------------------------------


def _decode_dataclass(data: Any, cls: type[T]) -> T:
    if not isinstance(data, dict):
        raise ValueError(f"{cls.__name__} needs an object, got {type(data).__name__}")
    hints = _hints(cls)
    kwargs: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name in data:
            kwargs[f.name] = _decode(data[f.name], hints[f.name])
        elif f.default is MISSING and f.default_factory is MISSING:
            raise ValueError(f"{cls.__name__} needs {f.name!r}")
    return cls(**kwargs)


def _decode_tagged(data: Any, registry: dict[str, type[T]]) -> T:
    if not isinstance(data, dict):
        raise ValueError(f"expected an object, got {type(data).__name__}")
    cls = registry.get(data.get("type"))  # type: ignore[arg-type]
    if cls is None:
        raise ValueError(f"unknown type {data.get('type')!r}")
    return _decode_dataclass({k: v for k, v in data.items() if k != "type"}, cls)


def _decode_collection(data: Any, tp: Any) -> Any:
    if not isinstance(data, list):
        raise ValueError(f"{tp} needs a list, got {type(data).__name__}")
    if get_origin(tp) is frozenset:
        (arg,) = get_args(tp)
        return frozenset(_decode(item, arg) for item in data)
    try:
        item_types = _item_types(tp, len(data))
    except TypeError as exc:
        raise ValueError(str(exc)) from None
    return tuple(_decode(item, arg) for item, arg in zip(data, item_types, strict=True))


def _decode_union(data: Any, tp: Any) -> Any:
    members = [arg for arg in get_args(tp) if arg is not _NONE]
    if data is None and len(members) < len(get_args(tp)):
        return None
    if len(members) == 1:
        return _decode(data, members[0])
    if all(_is_dataclass_type(arg) for arg in members):
        return _decode_tagged(data, {_snake(arg.__name__): arg for arg in members})
    for arg in members:
        if type(data) is arg:
            return data
    raise ValueError(f"{data!r} is not a {tp}")


def _decode(data: Any, tp: Any) -> Any:
    origin = get_origin(tp)
    if _is_union(tp):
        return _decode_union(data, tp)
    if _is_dataclass_type(tp):
        return _decode_dataclass(data, tp)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp(data)
    if tp is datetime:
        if not isinstance(data, str):
            raise ValueError(f"{data!r} is not an ISO 8601 string")
        return datetime.fromisoformat(data)
    if origin in (tuple, frozenset):
        return _decode_collection(data, tp)
    if origin is dict:
        if not isinstance(data, dict):
            raise ValueError(f"{tp} needs an object, got {type(data).__name__}")
        key_type, value_type = get_args(tp)
        return {_decode(k, key_type): _decode(v, value_type) for k, v in data.items()}
    try:
        return _primitive(data, tp)
    except TypeError as exc:
        raise ValueError(str(exc)) from None


# --- public API -------------------------------------------------------------------------------


def snapshot_to_dict(snapshot: m.Snapshot) -> dict[str, Any]:
    return _encode_dataclass(snapshot, m.Snapshot)


def snapshot_from_dict(data: dict[str, Any]) -> m.Snapshot:
    return _decode_dataclass(data, m.Snapshot)


def state_to_dict(state: m.CallState) -> dict[str, Any]:
    return _encode_dataclass(state, m.CallState)


def state_from_dict(data: dict[str, Any]) -> m.CallState:
    return _decode_dataclass(data, m.CallState)


def command_to_dict(command: m.Command) -> dict[str, Any]:
    return _encode_tagged(command, _COMMANDS)


def command_from_dict(data: dict[str, Any]) -> m.Command:
    return _decode_tagged(data, _COMMANDS)


def event_to_dict(event: m.Event) -> dict[str, Any]:
    return _encode_tagged(event, _EVENTS)


def event_from_dict(data: dict[str, Any]) -> m.Event:
    return _decode_tagged(data, _EVENTS)


def timer_to_dict(timer: m.TimerSpec) -> dict[str, Any]:
    return _encode_dataclass(timer, m.TimerSpec)


def timer_from_dict(data: dict[str, Any]) -> m.TimerSpec:
    return _decode_dataclass(data, m.TimerSpec)


def note_to_dict(note: m.Note) -> dict[str, Any]:
    return _encode_dataclass(note, m.Note)


def note_from_dict(data: dict[str, Any]) -> m.Note:
    return _decode_dataclass(data, m.Note)


def transition_to_dict(transition: m.Transition) -> dict[str, Any]:
    return _encode_dataclass(transition, m.Transition)


def transition_from_dict(data: dict[str, Any]) -> m.Transition:
    return _decode_dataclass(data, m.Transition)
