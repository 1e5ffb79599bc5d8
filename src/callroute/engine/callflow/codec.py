"""The call engine's types as JSON-safe dicts, and back, exactly.

A call's snapshot and state are stored as JSON between events, and commands and events travel
through job queues, so everything must survive ``json.dumps``/``json.loads`` unchanged: only
str, int, bool, None, lists and dicts come out. Datetimes become ISO 8601 strings, enums their
values, tuples lists, frozensets sorted lists. Commands and events carry a ``"type"`` key, the
class name in snake_case (``RingLegs`` -> ``"ring_legs"``).

The implementation compiles, once per type, an encoder and a decoder from the dataclass fields
and their type hints, so a field added to ``model.py`` needs no change here. Decoding is strict
about types but lenient about keys: a missing key takes the field's default and an unknown key
is ignored, so a state written by the previous release still loads during a rolling deploy.
"""

from __future__ import annotations

import json
import re
import types
from collections.abc import Callable
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


# --- compiling a codec per type -----------------------------------------------------------------
#
# Each type gets its encoder and decoder built once, from its hints, and kept: a call's
# snapshot and state are encoded and decoded at every step, so walking the type hints on every
# value (as a generic walker would) would cost more than the step itself.

Codec = Callable[[Any], Any]
_ENCODERS: dict[Any, Codec] = {}
_DECODERS: dict[Any, Codec] = {}


def _encoder(tp: Any) -> Codec:
    encoder = _ENCODERS.get(tp)
    if encoder is None:
        encoder = _ENCODERS[tp] = _compile_encoder(tp)
    return encoder


def _decoder(tp: Any) -> Codec:
    decoder = _DECODERS.get(tp)
    if decoder is None:
        decoder = _DECODERS[tp] = _compile_decoder(tp)
    return decoder


# --- encoding ---------------------------------------------------------------------------------


def _compile_encoder(tp: Any) -> Codec:
    origin = get_origin(tp)
    if _is_union(tp):
        return _union_encoder(tp)
    if _is_dataclass_type(tp):
        return _dataclass_encoder(tp)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return lambda value: _expect(value, tp).value
    if tp is datetime:
        return lambda value: _expect(value, datetime).isoformat()
    if origin is tuple:
        return _tuple_encoder(tp)
    if origin is frozenset:
        (arg,) = get_args(tp)
        item = _encoder(arg)
        # Sorted so that equal sets always give the same JSON (stable hashes and diffs).
        return lambda value: sorted((item(v) for v in _expect(value, frozenset)), key=json.dumps)
    if origin is dict:
        key_type, value_type = get_args(tp)
        encode_key, encode_value = _encoder(key_type), _encoder(value_type)
        return lambda value: {
            encode_key(k): encode_value(v) for k, v in _expect(value, dict).items()
        }
    return _primitive_codec(tp, TypeError)


def _dataclass_encoder(cls: type) -> Codec:
    hints = _hints(cls)
    names = [f.name for f in fields(cls)]
    encoders = [_encoder(hints[name]) for name in names]
    pairs = list(zip(names, encoders, strict=True))

    def encode(value: Any) -> dict[str, Any]:
        if type(value) is not cls:
            raise TypeError(f"expected {cls.__name__}, got {type(value).__name__}")
        return {name: encoder(getattr(value, name)) for name, encoder in pairs}

    return encode


def _tagged_encoder(registry: dict[str, type]) -> Codec:
    def encode(value: Any) -> dict[str, Any]:
        tag = _snake(type(value).__name__)
        if registry.get(tag) is not type(value):
            raise TypeError(f"{type(value).__name__} is not one of the expected types")
        return {"type": tag, **_encoder(type(value))(value)}

    return encode


def _union_encoder(tp: Any) -> Codec:
    members = [arg for arg in get_args(tp) if arg is not _NONE]
    optional = len(members) < len(get_args(tp))
    if len(members) == 1:
        inner = _encoder(members[0])
    elif all(_is_dataclass_type(arg) for arg in members):
        inner = _tagged_encoder({_snake(arg.__name__): arg for arg in members})
    else:
        by_type = {arg: _encoder(arg) for arg in members}

        def inner(value: Any) -> Any:
            encoder = by_type.get(type(value))
            if encoder is None:
                raise TypeError(f"{value!r} is not a {tp}")
            return encoder(value)

    def encode(value: Any) -> Any:
        if value is None:
            if not optional:
                raise TypeError(f"None is not a {tp}")
            return None
        return inner(value)

    return encode


def _tuple_encoder(tp: Any) -> Codec:
    args = get_args(tp)
    if len(args) == 2 and args[1] is Ellipsis:
        item = _encoder(args[0])
        return lambda value: [item(v) for v in _expect(value, tuple)]
    items = [_encoder(arg) for arg in args]

    def encode(value: Any) -> list[Any]:
        _expect(value, tuple)
        if len(value) != len(items):
            raise TypeError(f"{tp} needs {len(items)} items, got {len(value)}")
        return [encoder(v) for encoder, v in zip(items, value, strict=True)]

    return encode


def _expect(value: Any, cls: type[T]) -> T:
    if not isinstance(value, cls):
        raise TypeError(f"{value!r} is not a {cls.__name__}")
    return value


def _primitive_codec(tp: Any, error: type[Exception]) -> Codec:
    if tp not in (str, int, bool, _NONE):
        raise TypeError(f"no codec for {tp!r}")

    def check(value: Any) -> Any:
        # `type(...) is`, not isinstance: True is not an int here, nor an int a bool.
        if type(value) is tp:
            return value
        raise error(f"{value!r} is not a {getattr(tp, '__name__', tp)}")

    return check


# --- decoding ---------------------------------------------------------------------------------


def _compile_decoder(tp: Any) -> Codec:
    origin = get_origin(tp)
    if _is_union(tp):
        return _union_decoder(tp)
    if _is_dataclass_type(tp):
        return _dataclass_decoder(tp)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp
    if tp is datetime:
        return _datetime_decoder
    if origin in (tuple, frozenset):
        return _collection_decoder(tp)
    if origin is dict:
        key_type, value_type = get_args(tp)
        decode_key, decode_value = _decoder(key_type), _decoder(value_type)

        def decode_dict(data: Any) -> dict[Any, Any]:
            if not isinstance(data, dict):
                raise ValueError(f"{tp} needs an object, got {type(data).__name__}")
            return {decode_key(k): decode_value(v) for k, v in data.items()}

        return decode_dict
    return _primitive_codec(tp, ValueError)


def _datetime_decoder(data: Any) -> datetime:
    if not isinstance(data, str):
        raise ValueError(f"{data!r} is not an ISO 8601 string")
    return datetime.fromisoformat(data)


def _dataclass_decoder(cls: type[T]) -> Callable[[Any], T]:
    hints = _hints(cls)
    specs = [
        (
            f.name,
            _decoder(hints[f.name]),
            f.default is MISSING and f.default_factory is MISSING,
        )
        for f in fields(cls)  # type: ignore[arg-type]
    ]

    def decode(data: Any) -> T:
        if not isinstance(data, dict):
            raise ValueError(f"{cls.__name__} needs an object, got {type(data).__name__}")
        kwargs: dict[str, Any] = {}
        for name, decoder, required in specs:
            if name in data:
                kwargs[name] = decoder(data[name])
            elif required:
                raise ValueError(f"{cls.__name__} needs {name!r}")
        return cls(**kwargs)

    return decode


def _tagged_decoder(registry: dict[str, type[T]]) -> Callable[[Any], T]:
    def decode(data: Any) -> T:
        if not isinstance(data, dict):
            raise ValueError(f"expected an object, got {type(data).__name__}")
        cls = registry.get(data.get("type"))  # type: ignore[arg-type]
        if cls is None:
            raise ValueError(f"unknown type {data.get('type')!r}")
        decoded: T = _decoder(cls)({k: v for k, v in data.items() if k != "type"})
        return decoded

    return decode


def _collection_decoder(tp: Any) -> Codec:
    args = get_args(tp)
    if get_origin(tp) is frozenset:
        item = _decoder(args[0])

        def decode_set(data: Any) -> frozenset[Any]:
            _expect_list(data, tp)
            return frozenset(item(v) for v in data)

        return decode_set
    if len(args) == 2 and args[1] is Ellipsis:
        each = _decoder(args[0])

        def decode_many(data: Any) -> tuple[Any, ...]:
            _expect_list(data, tp)
            return tuple(each(v) for v in data)

        return decode_many
    items = [_decoder(arg) for arg in args]

    def decode_fixed(data: Any) -> tuple[Any, ...]:
        _expect_list(data, tp)
        if len(data) != len(items):
            raise ValueError(f"{tp} needs {len(items)} items, got {len(data)}")
        return tuple(decoder(v) for decoder, v in zip(items, data, strict=True))

    return decode_fixed


def _expect_list(data: Any, tp: Any) -> None:
    if not isinstance(data, list):
        raise ValueError(f"{tp} needs a list, got {type(data).__name__}")


def _union_decoder(tp: Any) -> Codec:
    members = [arg for arg in get_args(tp) if arg is not _NONE]
    optional = len(members) < len(get_args(tp))
    if len(members) == 1:
        inner = _decoder(members[0])
    elif all(_is_dataclass_type(arg) for arg in members):
        inner = _tagged_decoder({_snake(arg.__name__): arg for arg in members})
    else:
        accepted = set(members)

        def inner(data: Any) -> Any:
            if type(data) in accepted:
                return data
            raise ValueError(f"{data!r} is not a {tp}")

    def decode(data: Any) -> Any:
        if data is None and optional:
            return None
        return inner(data)

    return decode


# --- public API -------------------------------------------------------------------------------

_encode_command = _tagged_encoder(_COMMANDS)
_decode_command: Callable[[Any], m.Command] = _tagged_decoder(_COMMANDS)
_encode_event = _tagged_encoder(_EVENTS)
_decode_event: Callable[[Any], m.Event] = _tagged_decoder(_EVENTS)


def _encode_as(value: Any, cls: type) -> dict[str, Any]:
    encoded: dict[str, Any] = _encoder(cls)(value)
    return encoded


def snapshot_to_dict(snapshot: m.Snapshot) -> dict[str, Any]:
    encoded: dict[str, Any] = _encoder(m.Snapshot)(snapshot)
    return encoded


def snapshot_from_dict(data: dict[str, Any]) -> m.Snapshot:
    return _decoder(m.Snapshot)(data)  # type: ignore[no-any-return]


def state_to_dict(state: m.CallState) -> dict[str, Any]:
    return _encode_as(state, m.CallState)


def state_from_dict(data: dict[str, Any]) -> m.CallState:
    return _decoder(m.CallState)(data)  # type: ignore[no-any-return]


def command_to_dict(command: m.Command) -> dict[str, Any]:
    return _encode_command(command)  # type: ignore[no-any-return]


def command_from_dict(data: dict[str, Any]) -> m.Command:
    return _decode_command(data)


def event_to_dict(event: m.Event) -> dict[str, Any]:
    return _encode_event(event)  # type: ignore[no-any-return]


def event_from_dict(data: dict[str, Any]) -> m.Event:
    return _decode_event(data)


def timer_to_dict(timer: m.TimerSpec) -> dict[str, Any]:
    return _encode_as(timer, m.TimerSpec)


def timer_from_dict(data: dict[str, Any]) -> m.TimerSpec:
    return _decoder(m.TimerSpec)(data)  # type: ignore[no-any-return]


def note_to_dict(note: m.Note) -> dict[str, Any]:
    return _encode_as(note, m.Note)


def note_from_dict(data: dict[str, Any]) -> m.Note:
    return _decoder(m.Note)(data)  # type: ignore[no-any-return]


def transition_to_dict(transition: m.Transition) -> dict[str, Any]:
    return _encode_as(transition, m.Transition)


def transition_from_dict(data: dict[str, Any]) -> m.Transition:
    return _decoder(m.Transition)(data)  # type: ignore[no-any-return]
