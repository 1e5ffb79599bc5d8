"""The call engine's JSON codec: exact round trips, JSON-safe output, the wire format, errors."""

from __future__ import annotations

import json
import re
import types
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Union, get_args, get_origin, get_type_hints

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callroute.engine.callflow import codec
from callroute.engine.callflow import model as m

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_STRATEGIES: dict[Any, st.SearchStrategy[Any]] = {}


def full(tp: Any) -> st.SearchStrategy[Any]:
    """Values of ``tp`` with every field drawn, defaults included (``st.builds`` skips them)."""
    if tp not in _STRATEGIES:
        _STRATEGIES[tp] = _strategy(tp)
    return _STRATEGIES[tp]


def _strategy(tp: Any) -> st.SearchStrategy[Any]:
    origin, args = get_origin(tp), get_args(tp)
    if origin in (Union, types.UnionType):
        return st.one_of(*(full(arg) for arg in args))
    if isinstance(tp, type) and is_dataclass(tp):
        hints = get_type_hints(tp)
        return st.builds(tp, **{f.name: full(hints[f.name]) for f in fields(tp)})
    if isinstance(tp, type) and issubclass(tp, Enum):
        return st.sampled_from(tp)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return st.lists(full(args[0]), max_size=3).map(tuple)
    if origin is tuple:
        return st.tuples(*(full(arg) for arg in args))
    if origin is frozenset:
        return st.frozensets(full(args[0]), max_size=3)
    if origin is dict:
        return st.dictionaries(full(args[0]), full(args[1]), max_size=3)
    simple: dict[Any, st.SearchStrategy[Any]] = {
        str: st.text(max_size=6),
        int: st.integers(),
        bool: st.booleans(),
        type(None): st.none(),
        datetime: st.datetimes(timezones=st.just(UTC)),
    }
    return simple[tp]


def assert_json_safe(value: Any) -> None:
    if isinstance(value, dict):
        assert all(isinstance(key, str) for key in value)
        for item in value.values():
            assert_json_safe(item)
    elif isinstance(value, list):
        for item in value:
            assert_json_safe(item)
    else:
        assert value is None or type(value) in (str, int, bool), repr(value)


def round_trip(
    value: Any, encode: Callable[[Any], dict[str, Any]], decode: Callable[[dict[str, Any]], Any]
) -> None:
    data = encode(value)
    assert_json_safe(data)
    assert json.loads(json.dumps(data)) == data
    decoded = decode(json.loads(json.dumps(data)))
    assert decoded == value
    assert type(decoded) is type(value)
    assert encode(decoded) == data


@PROPERTY
@given(full(m.Snapshot))
def test_snapshot_round_trip(snapshot: m.Snapshot) -> None:
    round_trip(snapshot, codec.snapshot_to_dict, codec.snapshot_from_dict)


@PROPERTY
@given(full(m.CallState))
def test_state_round_trip(state: m.CallState) -> None:
    round_trip(state, codec.state_to_dict, codec.state_from_dict)


@PROPERTY
@given(st.one_of(*(full(cls) for cls in get_args(m.Command))))
def test_command_round_trip(command: m.Command) -> None:
    round_trip(command, codec.command_to_dict, codec.command_from_dict)
    assert codec.command_to_dict(command)["type"] == snake(type(command).__name__)


@PROPERTY
@given(st.one_of(*(full(cls) for cls in get_args(m.Event))))
def test_event_round_trip(event: m.Event) -> None:
    round_trip(event, codec.event_to_dict, codec.event_from_dict)
    assert codec.event_to_dict(event)["type"] == snake(type(event).__name__)


@PROPERTY
@given(full(m.TimerSpec), full(m.Note))
def test_timer_and_note_round_trip(timer: m.TimerSpec, note: m.Note) -> None:
    round_trip(timer, codec.timer_to_dict, codec.timer_from_dict)
    round_trip(note, codec.note_to_dict, codec.note_from_dict)


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def test_no_command_or_event_has_a_field_that_would_clash_with_the_type_tag() -> None:
    classes = (*get_args(m.Command), *get_args(m.Event))
    assert all("type" not in {f.name for f in fields(cls)} for cls in classes)
    assert len({snake(cls.__name__) for cls in classes}) == len(classes)


def test_ring_legs_wire_format() -> None:
    leg = m.Leg("r0-l1-a2-n0", "member-1", "Alice", "+15550000001", level=1, round=0)
    command = m.RingLegs(
        legs=(leg,),
        timeout_seconds=20,
        mode=m.RingMode.HOLD,
        caller_id="+15551230000",
        require_accept=True,
        accept_prompt=m.Prompt("Press 1"),
        hold_music_url=None,
    )
    assert codec.command_to_dict(command) == {
        "type": "ring_legs",
        "legs": [
            {
                "leg_id": "r0-l1-a2-n0",
                "member_id": "member-1",
                "member_name": "Alice",
                "number": "+15550000001",
                "level": 1,
                "round": 0,
                "status": "dialing",
            }
        ],
        "timeout_seconds": 20,
        "mode": "hold",
        "caller_id": "+15551230000",
        "require_accept": True,
        "accept_prompt": {"text": "Press 1", "audio_url": None, "voice": None, "language": "en-US"},
        "hold_music_url": None,
    }


def test_event_wire_format() -> None:
    assert codec.event_to_dict(m.LegAnswered("leg-1", machine=True)) == {
        "type": "leg_answered",
        "leg_id": "leg-1",
        "machine": True,
    }
    assert codec.event_to_dict(m.ConnectionAnswered()) == {"type": "connection_answered"}
    assert codec.event_from_dict({"type": "caller_hung_up"}) == m.CallerHungUp()


def test_rich_state_round_trip() -> None:
    when = datetime(2026, 3, 2, 9, 0, 5, 123456, tzinfo=UTC)
    action = m.Action(
        m.ActionKind.BOT,
        stream_url="wss://bot",
        stream_parameters=(("a", "1"), ("b", "2")),
        levels=(m.RingLevel(m.RingStrategy.RANDOM, 20, 5, (m.Responder("x", "X", ("+1",)),)),),
    )
    state = m.CallState(
        phase=m.Phase.RINGING,
        action=action,
        order=(2, 0, 1),
        legs=(m.Leg("l", "x", "X", "+1", 0, 0, m.LegStatus.ANSWERED),),
        armed=(("ring_timeout", "ring_timeout-3"),),
        started_at=when,
        answered_at=when,
    )
    data = codec.state_to_dict(state)
    assert data["started_at"] == "2026-03-02T09:00:05.123456+00:00"
    assert data["armed"] == [["ring_timeout", "ring_timeout-3"]]
    assert data["action"]["stream_parameters"] == [["a", "1"], ["b", "2"]]
    assert codec.state_from_dict(json.loads(json.dumps(data))) == state


def test_frozensets_are_sorted_lists() -> None:
    screening = m.Screening(blocklist=frozenset({"+3", "+1", "+2"}), allowlist=frozenset())
    snapshot = m.Snapshot("r", "R", "+0", "+9", screening=screening)
    data = codec.snapshot_to_dict(snapshot)
    assert data["screening"]["blocklist"] == ["+1", "+2", "+3"]
    assert data["screening"]["allowlist"] == []
    assert codec.snapshot_from_dict(data).screening.allowlist == frozenset()


def test_missing_keys_take_defaults_and_unknown_keys_are_ignored() -> None:
    data = {"router_id": "r", "router_name": "R", "router_number": "+0", "caller": "+9", "x": 1}
    assert codec.snapshot_from_dict(data) == m.Snapshot("r", "R", "+0", "+9")
    assert codec.state_from_dict({}) == m.CallState()


@pytest.mark.parametrize(
    ("decode", "data"),
    [
        (codec.command_from_dict, {"type": "teleport"}),
        (codec.command_from_dict, {"leg_id": "x"}),
        (codec.event_from_dict, {"type": "say", "prompt": {}}),
        (codec.command_from_dict, {"type": "bridge"}),
        (codec.command_from_dict, {"type": "bridge", "leg_id": 7}),
        (codec.event_from_dict, {"type": "leg_answered", "leg_id": "x", "machine": "yes"}),
        (codec.event_from_dict, {"type": "leg_ended", "leg_id": "x", "outcome": "exploded"}),
        (codec.event_from_dict, {"type": "recording_ready", "url": "u", "duration_seconds": True}),
        (codec.state_from_dict, {"legs": {"not": "a list"}}),
        (codec.state_from_dict, {"armed": [["only-one"]]}),
        (codec.state_from_dict, {"started_at": 12}),
        (codec.state_from_dict, {"started_at": "yesterday"}),
        (codec.snapshot_from_dict, {"router_id": "r"}),
    ],
)
def test_bad_input_is_rejected(decode: Callable[[dict[str, Any]], Any], data: Any) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the codec's one error type for bad input
        decode(data)


def test_encoding_the_wrong_type_is_an_error() -> None:
    with pytest.raises(TypeError):
        codec.command_to_dict(m.CallerHungUp())  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        codec.state_to_dict(m.CallState(round="0"))  # type: ignore[arg-type]


@PROPERTY
@given(full(m.Transition))
def test_transition_round_trip_tags_each_command(transition: m.Transition) -> None:
    round_trip(transition, codec.transition_to_dict, codec.transition_from_dict)
    data = codec.transition_to_dict(transition)
    assert [c["type"] for c in data["commands"]] == [
        snake(type(c).__name__) for c in transition.commands
    ]


@pytest.mark.parametrize(
    "data",
    [
        {"state": [], "commands": []},
        {"state": {}, "commands": ["hangup"]},
        {"state": {}, "commands": [{"type": "leg_ended", "leg_id": "x", "outcome": "busy"}]},
        {"state": {}, "notes": [{"kind": "k", "detail": {"n": 1.5}}]},
        {"state": {}, "notes": [{"kind": "k", "detail": {"n": [1]}}]},
        {"state": {}, "notes": [{"kind": "k", "detail": []}]},
    ],
)
def test_bad_transitions_are_rejected(data: dict[str, Any]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        codec.transition_from_dict(data)


@pytest.mark.parametrize(
    "value",
    [
        m.Transition(m.CallState(), commands=(m.CallerHungUp(),)),  # type: ignore[arg-type]
        m.Transition(m.CallState(), commands=(None,)),  # type: ignore[arg-type]
        m.Transition(m.CallState(legs=[])),  # type: ignore[arg-type]
        m.Transition(m.CallState(started_at="2026-01-01")),  # type: ignore[arg-type]
        m.Transition(m.CallState(reason=3)),  # type: ignore[arg-type]
        m.Transition(m.CallState(action=m.Say(m.Prompt()))),  # type: ignore[arg-type]
        m.Transition(m.CallState(armed=(("a", "b", "c"),))),  # type: ignore[arg-type]
        m.Transition(m.CallState(), notes=(m.Note("k", {"x": 1.5}),)),  # type: ignore[dict-item]
    ],
)
def test_encoding_values_of_the_wrong_type_is_an_error(value: m.Transition) -> None:
    with pytest.raises(TypeError):
        codec.transition_to_dict(value)
