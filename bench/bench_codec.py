"""Could a library replace the call engine's hand-written JSON codec?

Run with ``.venv/bin/python -m bench.bench_codec``. Builds a call ringing level 2 of 3 (six
legs) by stepping the engine through a menu, and its snapshot (a 3-option menu, 3 levels of 3
responders), then times, side by side in this one process, the encoding and decoding of both
by ``engine/callflow/codec.py`` and by pydantic's ``TypeAdapter`` and msgspec over the same
dataclasses (and over msgspec Structs mirroring them, as if ``model.py`` were rewritten).
Every library decodes the dict the hand codec stores, since the stored format must stay the
same. A second table checks each candidate against the strictness the codec's tests ask for,
and whether it gives back the stored format unchanged.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import timeit
import types
import warnings
from collections.abc import Callable, Sequence
from dataclasses import MISSING, dataclass, fields, is_dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

import msgspec
import pydantic
from pydantic import Discriminator, Tag, TypeAdapter
from pydantic_core import PydanticSerializationError

from callroute.engine.callflow import codec
from callroute.engine.callflow import model as m
from callroute.engine.callflow.machine import step

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# --- the values: a realistic snapshot, and a state the engine itself produced ---------------


def _uuid7(n: int) -> str:
    return f"0190a1b2-7c3d-7e4f-8a5b-{n:012x}"


def benchmark_snapshot() -> m.Snapshot:
    """An inbound call's snapshot: greeting, screening, a 3-option menu whose ringing option
    has 3 simultaneous levels of 3 responders, and the default settings of everything else."""
    levels = tuple(
        m.RingLevel(
            m.RingStrategy.SIMULTANEOUS,
            ring_timeout_seconds=20,
            delay_seconds=0,
            responders=tuple(
                m.Responder(_uuid7(10 * lv + i), f"Responder {lv}.{i}", (f"+1415555{lv}{i:03d}",))
                for i in range(3)
            ),
        )
        for lv in range(3)
    )
    ring = m.Action(
        m.ActionKind.RING,
        label="Database team",
        target_type="escalation_policy",
        target_id=_uuid7(900),
        levels=levels,
        repeat_count=1,
        urgency="high",
    )
    status = m.Prompt("All systems operational.")
    menu = m.Menu(
        prompt=m.Prompt("Press 1 for status, 2 for the on-call engineer, 3 to leave a message."),
        options=(
            m.MenuOption("1", m.Action(m.ActionKind.MESSAGE, label="Status", message=status)),
            m.MenuOption("2", ring),
            m.MenuOption("3", m.Action(m.ActionKind.VOICEMAIL, label="Leave a message")),
        ),
        default_digit="2",
        invalid_prompt=m.Prompt("That is not an option."),
    )
    return m.Snapshot(
        router_id=_uuid7(800),
        router_name="Support line",
        router_number="+15550000000",
        caller="+15551230000",
        caller_name="Ada Lovelace",
        caller_labels=("vip",),
        greeting=m.Prompt("Thanks for calling support."),
        screening=m.Screening(
            blocklist=frozenset(f"+1555000{n:04d}" for n in range(9999, 9993, -1))
        ),
        menu=menu,
    )


def benchmark_state(snapshot: m.Snapshot) -> tuple[m.CallState, Callable[[], object]]:
    """The state after the caller chose the ringing option, level 1 rang out and level 2's
    three phones are ringing (six legs); and a step from it, for scale."""
    state, now = m.CallState(), NOW

    def send(event: m.Event, after: float = 1) -> None:
        nonlocal state, now
        now += timedelta(seconds=after)
        state = step(snapshot, state, event, now).state

    send(m.CallArrived(), 0)
    send(m.Digits("2"), 4)
    for leg in state.legs:
        send(m.LegRinging(leg.leg_id))
    send(m.TimerFired("ring_timeout", dict(state.armed)["ring_timeout"]), 20)
    for leg in state.legs[3:]:
        send(m.LegRinging(leg.leg_id))
    assert state.phase is m.Phase.RINGING, state
    assert (state.level, len(state.legs)) == (1, 6), state
    ringing_state, at = state, now
    answered = m.LegAnswered(state.legs[3].leg_id)
    return ringing_state, lambda: step(snapshot, ringing_state, answered, at)


# --- the candidates ------------------------------------------------------------------------


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


EVENTS: dict[str, type[Any]] = {_snake(cls.__name__): cls for cls in get_args(m.Event)}
Codec = Callable[[Any], Any]


def _same_value(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Candidate:
    name: str
    encode_state: Codec
    decode_state: Codec
    encode_snapshot: Codec
    decode_snapshot: Codec
    decode_event: Codec
    # What the engine's values look like to this candidate (Structs are other types).
    native: Codec = _same_value


def hand_codec() -> Candidate:
    return Candidate(
        "hand codec (`codec.py`)",
        codec.state_to_dict,
        codec.state_from_dict,
        codec.snapshot_to_dict,
        codec.snapshot_from_dict,
        codec.event_from_dict,
    )


def _event_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        tag = value.get("type")
        return tag if isinstance(tag, str) else None
    return _snake(type(value).__name__)


def _pydantic_event_adapter() -> TypeAdapter[Any]:
    # The dataclasses have no ``type`` field, so the union is told where its tag is; the tag
    # itself is then an unknown key, which a stdlib dataclass ignores. (Encoding would still
    # have to add the tag by hand, as the hand codec does.)
    members = tuple(Annotated[cls, Tag(tag)] for tag, cls in EVENTS.items())
    union: Any = Union[members]  # noqa: UP007 - built at run time from the members
    return TypeAdapter(Annotated[union, Discriminator(_event_tag)])


def pydantic_lax() -> Candidate:
    state, snapshot = TypeAdapter(m.CallState), TypeAdapter(m.Snapshot)
    event = _pydantic_event_adapter()
    return Candidate(
        "pydantic `TypeAdapter`, lax: `validate_python` / `dump_python(mode='json')`",
        lambda value: state.dump_python(value, mode="json"),
        state.validate_python,
        lambda value: snapshot.dump_python(value, mode="json"),
        snapshot.validate_python,
        event.validate_python,
    )


def pydantic_strict() -> Candidate:
    # Strict validation of a dict into a stdlib dataclass wants an instance, not a dict
    # (``dataclass_exact_type``): only JSON input can be validated strictly, so the stored dict
    # is dumped to text first. Encoding raises instead of warning on a value of the wrong type.
    state, snapshot = TypeAdapter(m.CallState), TypeAdapter(m.Snapshot)
    event = _pydantic_event_adapter()
    return Candidate(
        "pydantic `TypeAdapter`, strict: `validate_json(json.dumps(d), strict=True)` / "
        "`dump_python(mode='json', warnings='error')`",
        lambda value: state.dump_python(value, mode="json", warnings="error"),
        lambda data: state.validate_json(json.dumps(data), strict=True),
        lambda value: snapshot.dump_python(value, mode="json", warnings="error"),
        lambda data: snapshot.validate_json(json.dumps(data), strict=True),
        lambda data: event.validate_json(json.dumps(data), strict=True),
    )


def _msgspec_event(data: Any) -> Any:
    # msgspec refuses a union of several dataclasses, so the tag is looked up by hand; the
    # ``type`` key is then an unknown field, which msgspec ignores on a dataclass.
    tag = _event_tag(data)
    cls = EVENTS.get(tag or "")
    if cls is None:
        raise msgspec.ValidationError(f"unknown type {tag!r}")
    return msgspec.convert(data, cls, strict=True)


def msgspec_dataclasses() -> Candidate:
    # No dec_hook or enc_hook is needed: msgspec handles every type model.py uses.
    return Candidate(
        "msgspec on the dataclasses: `convert(strict=True)` / `to_builtins`",
        lambda value: msgspec.to_builtins(value, order="deterministic"),
        lambda data: msgspec.convert(data, m.CallState, strict=True),
        lambda value: msgspec.to_builtins(value, order="deterministic"),
        lambda data: msgspec.convert(data, m.Snapshot, strict=True),
        _msgspec_event,
    )


def msgspec_checked() -> Candidate:
    # to_builtins writes whatever a field holds; converting its output back to the type
    # rejects what could not be read back, as the hand encoder does, for about the cost of
    # a decode.
    def checked(cls: type) -> Codec:
        def encode(value: Any) -> Any:
            data = msgspec.to_builtins(value, order="deterministic")
            msgspec.convert(data, cls, strict=True)
            return data

        return encode

    plain = msgspec_dataclasses()
    return Candidate(
        "msgspec on the dataclasses, checked encode: `to_builtins`, then `convert` back",
        checked(m.CallState),
        plain.decode_state,
        checked(m.Snapshot),
        plain.decode_snapshot,
        plain.decode_event,
    )


class StructMirror:
    """msgspec Structs with the fields of model.py's dataclasses (frozen, same defaults, the
    events and commands tagged ``type`` with their snake_case names): what the engine's types
    would be if model.py were rewritten for msgspec."""

    def __init__(self) -> None:
        self.structs: dict[type, Any] = {}
        self.event = Union[tuple(self.of(cls) for cls in get_args(m.Event))]  # noqa: UP007

    def of(self, cls: type) -> Any:
        if cls not in self.structs:
            tagged = cls in get_args(m.Event) or cls in get_args(m.Command)
            hints = get_type_hints(cls)
            specs: list[Any] = []
            for f in fields(cls):
                tp = self._type(hints[f.name])
                if f.default is not MISSING:
                    specs.append((f.name, tp, self._default(f.default)))
                elif f.default_factory is not MISSING:
                    specs.append((f.name, tp, msgspec.field(default_factory=f.default_factory)))
                else:
                    specs.append((f.name, tp))
            self.structs[cls] = msgspec.defstruct(
                cls.__name__,
                specs,
                frozen=True,
                tag_field="type" if tagged else None,
                tag=_snake(cls.__name__) if tagged else None,
            )
        return self.structs[cls]

    def _type(self, tp: Any) -> Any:
        origin, args = get_origin(tp), get_args(tp)
        if isinstance(tp, type) and is_dataclass(tp):
            return self.of(tp)
        if origin in (Union, types.UnionType):
            return Union[tuple(self._type(arg) for arg in args)]  # noqa: UP007
        if origin in (tuple, frozenset, dict):
            return origin[tuple(arg if arg is Ellipsis else self._type(arg) for arg in args)]
        return tp

    def _default(self, default: Any) -> Any:
        if is_dataclass(default):
            struct = self.convert(default)
            return msgspec.field(default_factory=lambda: struct)
        return default

    def convert(self, value: Any) -> Any:
        """The same value as Structs, field by field, unchecked (wrong types stay wrong)."""
        if is_dataclass(value) and not isinstance(value, type):
            struct = self.of(type(value))
            return struct(**{f.name: self.convert(getattr(value, f.name)) for f in fields(value)})
        if isinstance(value, tuple):
            return tuple(self.convert(item) for item in value)
        return value


def msgspec_structs(mirror: StructMirror) -> Candidate:
    state, snapshot = mirror.of(m.CallState), mirror.of(m.Snapshot)
    return Candidate(
        "msgspec Structs mirroring model.py: `convert(strict=True)` / `to_builtins`",
        lambda value: msgspec.to_builtins(value, order="deterministic"),
        lambda data: msgspec.convert(data, state, strict=True),
        lambda value: msgspec.to_builtins(value, order="deterministic"),
        lambda data: msgspec.convert(data, snapshot, strict=True),
        lambda data: msgspec.convert(data, mirror.event, strict=True),
        native=mirror.convert,
    )


# --- timing ----------------------------------------------------------------------------------


def _number(fn: Callable[[], object], seconds: float) -> int:
    """How many calls make one measurement of about ``seconds``."""
    calls, elapsed = timeit.Timer(fn).autorange()
    return max(1, int(calls * seconds / max(elapsed, 1e-9)))


def time_side_by_side(
    jobs: dict[str, Callable[[], object]], repeat: int, seconds: float
) -> dict[str, float]:
    """Best µs per call of each job. The jobs take turns, one measurement each per round, so
    that a busy spell of the machine falls on all of them rather than on one."""
    numbers = {name: _number(fn, seconds) for name, fn in jobs.items()}
    best = dict.fromkeys(jobs, float("inf"))
    for _ in range(repeat):
        for name, fn in jobs.items():
            elapsed = timeit.Timer(fn).timeit(numbers[name])
            best[name] = min(best[name], elapsed / numbers[name] * 1e6)
    return best


# --- strictness -------------------------------------------------------------------------------

STATE_CASES: list[tuple[str, dict[str, Any]]] = [
    ("unknown key (`{'x': 1}`; ignored by design, for rolling deploys)", {"x": 1}),
    ("missing keys take their defaults (`{}`)", {}),
    ("string for an int (`round: '1'`)", {"round": "1"}),
    ("bool for an int (`round: true`)", {"round": True}),
    ("float for an int (`round: 1.0`)", {"round": 1.0}),
    ("null for an int with a default (`round: null`)", {"round": None}),
    ("int for a bool (`alert_raised: 1`)", {"alert_raised": 1}),
    ("int for a str (`reason: 3`)", {"reason": 3}),
    ("unknown enum value (`phase: 'exploded'`)", {"phase": "exploded"}),
    ("object for a tuple (`legs: {...}`)", {"legs": {"not": "a list"}}),
    ("pair of one item (`armed: [['only-one']]`)", {"armed": [["only-one"]]}),
    ("number for a datetime (`started_at: 12`)", {"started_at": 12}),
    ("not a datetime (`'yesterday'`)", {"started_at": "yesterday"}),
    ("date without a time (`'2026-03-02'`)", {"started_at": "2026-03-02"}),
    ("naive datetime (`'2026-03-02T09:00:00'`)", {"started_at": "2026-03-02T09:00:00"}),
    ("offset other than UTC (`'...T09:00:00+02:00'`)", {"started_at": "2026-03-02T09:00:00+02:00"}),
]
EVENT_CASES: list[tuple[str, dict[str, Any]]] = [
    ("unknown event type (`type: 'teleport'`)", {"type": "teleport"}),
    ("event without a type", {"leg_id": "x"}),
    ("a command's tag as an event (`type: 'bridge'`)", {"type": "bridge", "leg_id": "x"}),
    (
        "event field of the wrong type (`machine: 'yes'`)",
        {"type": "leg_answered", "leg_id": "x", "machine": "yes"},
    ),
]
ENCODE_CASES: list[tuple[str, Callable[[], m.CallState]]] = [
    ("encoding a str where an int belongs", lambda: m.CallState(round="0")),  # type: ignore[arg-type]
    ("encoding a list where a tuple belongs", lambda: m.CallState(legs=[])),  # type: ignore[arg-type]
    (
        "encoding a command where an action belongs",
        lambda: m.CallState(action=m.Say(m.Prompt())),  # type: ignore[arg-type]
    ),
    ("encoding a naive datetime", lambda: m.CallState(started_at=datetime(2026, 3, 2, 9))),
]

Probe = Callable[[Candidate], object]


def _outcome(probe: Probe, candidate: Candidate) -> str:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            probe(candidate)
        except (ValueError, TypeError, msgspec.ValidationError, PydanticSerializationError):
            return "rejects"  # pydantic's ValidationError is a ValueError
        except Exception as error:  # an error that is not the library's own
            return f"crashes ({type(error).__name__})"
    return "warns, accepts" if caught else "accepts"


def _verdict(probe: Callable[[Candidate], bool], candidate: Candidate) -> str:
    try:
        return "yes" if probe(candidate) else "**no**"
    except Exception as error:  # the table shows what went wrong
        return f"fails ({type(error).__name__})"


def _decoding(kind: str, data: dict[str, Any]) -> Probe:
    return lambda c: getattr(c, f"decode_{kind}")(data)


def _encoding(make: Callable[[], m.CallState]) -> Probe:
    return lambda c: c.encode_state(c.native(make()))


def _json_types_only(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_types_only(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_json_types_only(item) for item in value)
    return value is None or type(value) in (str, int, bool)


def strictness_rows(
    candidates: list[Candidate], state: m.CallState, snapshot: m.Snapshot
) -> list[tuple[str, list[str]]]:
    """What each candidate does with bad input, bad values and the stored format."""
    stored = {"state": codec.state_to_dict(state), "snapshot": codec.snapshot_to_dict(snapshot)}
    engine = {"state": state, "snapshot": snapshot}
    blocklist = frozenset(f"+1555000{n:04d}" for n in range(8, 0, -1))
    listed = replace(snapshot, screening=m.Screening(blocklist=blocklist))
    probes: list[tuple[str, Probe]] = [(label, _decoding("state", d)) for label, d in STATE_CASES]
    probes.append(
        (
            "missing required key (snapshot `{'router_id': 'r'}`)",
            _decoding("snapshot", {"router_id": "r"}),
        )
    )
    probes += [(label, _decoding("event", data)) for label, data in EVENT_CASES]
    probes += [(label, _encoding(make)) for label, make in ENCODE_CASES]
    rows = [(label, [_outcome(probe, c) for c in candidates]) for label, probe in probes]

    def reencoded(c: Candidate, kind: str) -> Any:
        return getattr(c, f"encode_{kind}")(getattr(c, f"decode_{kind}")(stored[kind]))

    checks: list[tuple[str, Callable[[Candidate], bool]]] = [
        (
            "a UTC datetime is written `...+00:00`, as stored today",
            lambda c: (
                c.encode_state(c.native(state))["started_at"] == stored["state"]["started_at"]
            ),
        ),
        (
            "only JSON types come out (tuples as lists)",
            lambda c: _json_types_only(c.encode_state(c.native(state))),
        ),
        (
            "a frozenset is written sorted (a blocklist of 8)",
            lambda c: (
                c.encode_snapshot(c.native(listed))["screening"]["blocklist"] == sorted(blocklist)
            ),
        ),
        (
            "decodes the stored state and snapshot to the engine's values",
            lambda c: all(
                getattr(c, f"decode_{kind}")(stored[kind]) == c.native(engine[kind])
                for kind in stored
            ),
        ),
    ]

    def same_dict(kind: str) -> Callable[[Candidate], bool]:
        return lambda c: bool(reencoded(c, kind) == stored[kind])

    def same_text(kind: str) -> Callable[[Candidate], bool]:
        return lambda c: json.dumps(reencoded(c, kind)) == json.dumps(stored[kind])

    for kind in stored:
        checks.append((f"decoded and re-encoded {kind} == the stored dict", same_dict(kind)))
        checks.append(
            (f"decoded and re-encoded {kind}: the same JSON text, byte for byte", same_text(kind))
        )
    rows += [(label, [_verdict(check, c) for c in candidates]) for label, check in checks]
    return rows


# --- the report -------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=7, help="measurements per operation")
    parser.add_argument("--seconds", type=float, default=0.1, help="length of one measurement")
    args = parser.parse_args(argv)

    snapshot = benchmark_snapshot()
    state, one_step = benchmark_state(snapshot)
    mirror = StructMirror()
    candidates = [
        hand_codec(),
        pydantic_lax(),
        pydantic_strict(),
        msgspec_dataclasses(),
        msgspec_checked(),
        msgspec_structs(mirror),
    ]
    stored_state, stored_snapshot = codec.state_to_dict(state), codec.snapshot_to_dict(snapshot)
    jobs: dict[str, Callable[[], object]] = {}
    for c in candidates:
        c.decode_state(stored_state), c.decode_snapshot(stored_snapshot)  # compile first
        jobs[f"{c.name}|encode|state"] = partial(c.encode_state, c.native(state))
        jobs[f"{c.name}|encode|snapshot"] = partial(c.encode_snapshot, c.native(snapshot))
        jobs[f"{c.name}|decode|state"] = partial(c.decode_state, stored_state)
        jobs[f"{c.name}|decode|snapshot"] = partial(c.decode_snapshot, stored_snapshot)
    reference = "stdlib `json.dumps` / `json.loads` of the stored dict (reference)"
    state_text, snapshot_text = json.dumps(stored_state), json.dumps(stored_snapshot)
    jobs[f"{reference}|encode|state"] = partial(json.dumps, stored_state)
    jobs[f"{reference}|encode|snapshot"] = partial(json.dumps, stored_snapshot)
    jobs[f"{reference}|decode|state"] = partial(json.loads, state_text)
    jobs[f"{reference}|decode|snapshot"] = partial(json.loads, snapshot_text)
    jobs["step"] = one_step
    best = time_side_by_side(jobs, args.repeat, args.seconds)

    print(
        f"`.venv/bin/python -m bench.bench_codec --repeat {args.repeat} --seconds {args.seconds:g}`"
    )
    print(
        f"Python {sys.version.split()[0]}, pydantic {pydantic.VERSION}, msgspec "
        f"{msgspec.__version__}, {time.strftime('%Y-%m-%d')}; stored JSON: state "
        f"{len(state_text):,} bytes, snapshot {len(snapshot_text):,} bytes\n"
    )
    print("| codec | operation | state µs | state / hand | snapshot µs | snapshot / hand |")
    print("|---|---|---:|---:|---:|---:|")
    hand = candidates[0].name
    for name in [c.name for c in candidates] + [reference]:
        for op in ("encode", "decode"):
            s, n = best[f"{name}|{op}|state"], best[f"{name}|{op}|snapshot"]
            hs, hn = best[f"{hand}|{op}|state"], best[f"{hand}|{op}|snapshot"]
            print(f"| {name} | {op} | {s:,.1f} | {s / hs:.2f}x | {n:,.1f} | {n / hn:.2f}x |")
    print(
        f"\nFor scale: one engine `step` from this state (a leg answers) takes "
        f"{best['step']:,.1f} µs. Best of {args.repeat} measurements of about "
        f"{args.seconds:g} s each.\n"
    )

    short = ["hand", "pydantic lax", "pydantic strict", "msgspec", "msgspec checked", "Structs"]
    print("| case | " + " | ".join(short) + " |")
    print("|---|" + "---|" * len(short))
    for label, cells in strictness_rows(candidates, state, snapshot):
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
