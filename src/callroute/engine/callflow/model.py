"""Types of the call state machine: the router snapshot, the call state, events, commands.

Everything is a frozen dataclass of plain values so that a state can be stored as JSON (see
``codec.py``) and a transition can be compared in tests. Ids are strings (UUIDs as text) so the
engine never depends on how storage spells them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

# --- the snapshot: what the router said and who was on call when the call started -----------


@dataclass(frozen=True)
class Prompt:
    """Something the caller hears: text read by text-to-speech, or an audio file."""

    text: str | None = None
    audio_url: str | None = None
    voice: str | None = None  # provider voice name; None = provider default
    language: str = "en-US"


class ActionKind(StrEnum):
    RING = "ring"  # ring people through resolved escalation levels
    VOICEMAIL = "voicemail"
    FORWARD = "forward"  # to a fixed phone number
    SIP = "sip"  # to a SIP URI
    BOT = "bot"  # bidirectional media stream to a WebSocket URL
    MESSAGE = "message"  # say something and hang up


class RingStrategy(StrEnum):
    SEQUENTIAL = "sequential"
    SIMULTANEOUS = "simultaneous"
    RANDOM = "random"


@dataclass(frozen=True)
class Responder:
    member_id: str
    name: str
    numbers: tuple[str, ...]  # E.164, tried in order


@dataclass(frozen=True)
class RingLevel:
    strategy: RingStrategy
    ring_timeout_seconds: int
    delay_seconds: int  # pause after this level before the next one
    responders: tuple[Responder, ...]


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    label: str = ""  # what the caller chose, for the timeline and the alert ("Database team")
    target_type: str | None = None  # RING: escalation_policy | service | team | schedule | member
    target_id: str | None = None
    levels: tuple[RingLevel, ...] = ()  # RING
    repeat_count: int = 0  # RING: further passes over all levels when nobody answered
    number: str | None = None  # FORWARD
    sip_uri: str | None = None  # SIP
    stream_url: str | None = None  # BOT
    stream_parameters: tuple[tuple[str, str], ...] = ()  # BOT: sent to the bot on connect
    message: Prompt | None = None  # MESSAGE
    urgency: str | None = None  # alert urgency slug for this choice


@dataclass(frozen=True)
class MenuOption:
    digit: str  # "1".."9"
    action: Action


@dataclass(frozen=True)
class Menu:
    prompt: Prompt
    options: tuple[MenuOption, ...]
    timeout_seconds: int = 5  # wait for a key press
    max_attempts: int = 3  # prompts in all, before the default (or hanging up)
    default_digit: str | None = None  # taken after max_attempts without a valid key
    invalid_prompt: Prompt | None = None  # after a wrong key, before the prompt again


class RingMode(StrEnum):
    DIAL = "dial"  # the caller hears ringback while responders are dialled
    HOLD = "hold"  # the caller waits with music; responders are called out of band


class CallerId(StrEnum):
    CALLER = "caller"  # responders see the caller's number
    ROUTER = "router"  # responders see the router's number


@dataclass(frozen=True)
class Ringing:
    mode: RingMode = RingMode.DIAL
    hold_music_url: str | None = None
    require_accept: bool = True  # responder must press 1: voicemail pickups never count
    accept_prompt: Prompt = Prompt("You have an incoming call. Press 1 to accept.")
    between_attempts: Prompt | None = None  # said to the caller when an attempt fails
    deadline_seconds: int | None = None  # after this long ringing, go to the fallback
    level_delay_seconds: int | None = None  # overrides every level's delay
    caller_id: CallerId = CallerId.CALLER


@dataclass(frozen=True)
class VoicemailSettings:
    greeting: Prompt = Prompt("Please leave a message after the tone.")
    max_length_seconds: int = 120
    transcribe: bool = True
    finish_on_key: str = "#"


@dataclass(frozen=True)
class Screening:
    blocklist: frozenset[str] = frozenset()
    allowlist: frozenset[str] | None = None  # None = everyone may call
    blocked_message: Prompt | None = None  # None = reject without a word
    not_allowed_message: Prompt = Prompt("Sorry, this line does not accept your call.")
    pin: str | None = None
    pin_prompt: Prompt = Prompt("Please enter your PIN, then press pound.")
    pin_attempts: int = 3


class Fallback(StrEnum):
    VOICEMAIL = "voicemail"
    MESSAGE = "message"  # the no-answer message, then hang up


@dataclass(frozen=True)
class AlertSettings:
    enabled: bool = True
    urgency: str | None = None  # slug; an action's urgency wins
    auto_resolve_on_call_end: bool = False


class OutboundMode(StrEnum):
    """What an outbound call is connected to once the called party answers."""

    SIP = "sip"  # bridged to a SIP trunk
    BOT = "bot"  # streamed to a bot's WebSocket
    ANSWER_ONLY = "answer_only"  # nothing: the answered call stays up until someone hangs up


@dataclass(frozen=True)
class Outbound:
    """A call we place from the router's number to ``Snapshot.caller``."""

    mode: OutboundMode
    connect: Action | None = None  # SIP or BOT: where the answered call goes
    dial_timeout_seconds: int = 30  # how long the called party's phone rings


@dataclass(frozen=True)
class Snapshot:
    router_id: str
    router_name: str
    router_number: str  # the dialled number (inbound) or the number we call from, E.164
    caller: str  # the other party: who called, or who we call; E.164 when known
    caller_name: str | None = None  # a known contact
    caller_labels: tuple[str, ...] = ()
    greeting: Prompt | None = None
    screening: Screening = Screening()
    after_hours: Action | None = None  # set only when the call arrived outside business hours
    menu: Menu | None = None
    action: Action | None = None  # used when there is no menu
    ringing: Ringing = Ringing()
    voicemail: VoicemailSettings = VoicemailSettings()
    fallback: Fallback = Fallback.VOICEMAIL
    no_answer_message: Prompt = Prompt("Nobody could take your call. Goodbye.")
    no_one_available_message: Prompt = Prompt("Nobody is available to take your call right now.")
    alert: AlertSettings = AlertSettings()
    max_call_seconds: int = 4 * 3600  # a bridged call is checked on after this long
    outbound: Outbound | None = None  # set for a call we place; None for an inbound call


# --- the call's state -------------------------------------------------------------------------


class Phase(StrEnum):
    NEW = "new"
    DIALING = "dialing"  # an outbound call: waiting for the called party to answer
    PIN = "pin"  # waiting for the caller's PIN
    MENU = "menu"  # waiting for a menu key
    RINGING = "ringing"  # trying responders
    LEVEL_PAUSE = "level_pause"  # between levels (delay_seconds)
    BRIDGED = "bridged"  # caller connected to a responder, forward, SIP or bot
    VOICEMAIL = "voicemail"  # recording a message
    ENDING = "ending"  # a last message is playing before hang-up
    ENDED = "ended"


class CallStatus(StrEnum):
    """The documented lifecycle of a call record (see docs/call-routing.md)."""

    RINGING = "ringing"  # arrived; greeting / screening
    IN_MENU = "in_menu"
    RINGING_RESPONDERS = "ringing_responders"
    ANSWERED = "answered"  # connected (responder accepted, or forwarded / SIP / bot answered)
    COMPLETED = "completed"  # ended after being answered
    MISSED = "missed"  # ended with nobody reached and no voicemail left
    VOICEMAIL = "voicemail"  # ended with a voicemail recorded
    REJECTED = "rejected"  # screened out (blocklist, allowlist, PIN)
    FAILED = "failed"  # could not be routed (provider error, misconfiguration)


class LegStatus(StrEnum):
    DIALING = "dialing"
    RINGING = "ringing"
    ANSWERED = "answered"  # picked up; waiting for the accept key when required
    ACCEPTED = "accepted"  # the responder took the call (bridged)
    DECLINED = "declined"  # picked up and refused, or pressed a wrong key
    NO_ANSWER = "no_answer"  # rang out, or a pickup that never pressed 1 (personal voicemail)
    BUSY = "busy"
    FAILED = "failed"
    CANCELED = "canceled"  # stopped by us (someone else answered, deadline, caller left)
    COMPLETED = "completed"  # the bridged leg ended normally

    @property
    def finished(self) -> bool:
        return self not in (
            LegStatus.DIALING,
            LegStatus.RINGING,
            LegStatus.ANSWERED,
            LegStatus.ACCEPTED,
        )


@dataclass(frozen=True)
class Leg:
    leg_id: str  # stable id, unique within the call: "r0-l1-a2-n0" style
    member_id: str
    member_name: str
    number: str
    level: int
    round: int
    status: LegStatus = LegStatus.DIALING


@dataclass(frozen=True)
class CallState:
    phase: Phase = Phase.NEW
    status: CallStatus = CallStatus.RINGING
    reason: str | None = None  # why the call ended as it did (missed / failed / rejected)
    action: Action | None = None  # the action being carried out
    menu_attempts: int = 0
    pin_attempts: int = 0
    round: int = 0  # pass over the levels (0 .. repeat_count)
    level: int = 0
    position: int = 0  # next responder index in the level's order (sequential / random)
    order: tuple[int, ...] = ()  # responder order for the current level and round
    legs: tuple[Leg, ...] = ()
    answered_by: str | None = None  # member id
    answered_leg: str | None = None
    armed: tuple[tuple[str, str], ...] = ()  # (timer kind, token): only these may fire
    seq: int = 0  # counter for tokens and leg ids
    alert_raised: bool = False
    recording_url: str | None = None
    started_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None


# --- events ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallArrived:
    pass


@dataclass(frozen=True)
class Digits:
    """Keys from the caller (``leg_id`` None) or from a responder's leg. Empty = no input."""

    digits: str
    leg_id: str | None = None


@dataclass(frozen=True)
class LegRinging:
    leg_id: str


@dataclass(frozen=True)
class LegAnswered:
    leg_id: str
    machine: bool = False  # the provider detected an answering machine


@dataclass(frozen=True)
class LegEnded:
    leg_id: str
    outcome: LegStatus  # NO_ANSWER, BUSY, FAILED, COMPLETED, CANCELED or DECLINED


@dataclass(frozen=True)
class CallerHungUp:
    pass


@dataclass(frozen=True)
class TimerFired:
    kind: str
    token: str


@dataclass(frozen=True)
class RecordingReady:
    url: str
    duration_seconds: int


@dataclass(frozen=True)
class TranscriptReady:
    text: str


@dataclass(frozen=True)
class ProviderError:
    message: str
    leg_id: str | None = None  # None: the caller's own call failed


@dataclass(frozen=True)
class BridgeEnded:
    """A forwarded, SIP or bot connection ended (the caller may still be on the line)."""

    outcome: LegStatus


@dataclass(frozen=True)
class ConnectionAnswered:
    """The far end of a forwarded, SIP or bot connection answered."""


@dataclass(frozen=True)
class CallPlaced:
    """The first event of an outbound call: we are to dial the other party."""


@dataclass(frozen=True)
class CalleeAnswered:
    """The party an outbound call dials picked up. (When they hang up later, the provider
    reports ``CallerHungUp``: the party on the call's own leg left.)"""


@dataclass(frozen=True)
class CalleeUnreached:
    """The outbound call ended before anyone picked up."""

    outcome: LegStatus  # NO_ANSWER, BUSY or FAILED


Event = (
    CallArrived
    | Digits
    | LegRinging
    | LegAnswered
    | LegEnded
    | CallerHungUp
    | TimerFired
    | RecordingReady
    | TranscriptReady
    | ProviderError
    | BridgeEnded
    | ConnectionAnswered
    | CallPlaced
    | CalleeAnswered
    | CalleeUnreached
)


# --- commands ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Say:
    prompt: Prompt


@dataclass(frozen=True)
class Gather:
    """Collect keys from the caller while ``prompt`` plays."""

    prompt: Prompt
    num_digits: int = 1
    timeout_seconds: int = 5
    finish_on_key: str | None = None  # "#" for PINs


@dataclass(frozen=True)
class RingLegs:
    """Call responders. In DIAL mode the caller hears ringback; in HOLD mode music."""

    legs: tuple[Leg, ...]
    timeout_seconds: int
    mode: RingMode
    caller_id: str  # the number responders see
    require_accept: bool
    accept_prompt: Prompt
    hold_music_url: str | None = None


@dataclass(frozen=True)
class CancelLegs:
    leg_ids: tuple[str, ...]


@dataclass(frozen=True)
class Bridge:
    """Connect the caller to a leg that accepted."""

    leg_id: str


@dataclass(frozen=True)
class Hold:
    music_url: str | None


@dataclass(frozen=True)
class Record:
    greeting: Prompt
    max_length_seconds: int
    finish_on_key: str
    transcribe: bool


@dataclass(frozen=True)
class Forward:
    number: str
    caller_id: str
    timeout_seconds: int = 30


@dataclass(frozen=True)
class DialSip:
    uri: str
    caller_id: str
    timeout_seconds: int = 30


@dataclass(frozen=True)
class ConnectStream:
    url: str
    parameters: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PlaceCall:
    """Dial ``number`` from the router's number (an outbound call's own leg)."""

    number: str
    caller_id: str
    timeout_seconds: int = 30


@dataclass(frozen=True)
class Hangup:
    reason: str | None = None


@dataclass(frozen=True)
class Reject:
    """Refuse the call without answering it (blocklist)."""

    reason: str


@dataclass(frozen=True)
class RaiseAlert:
    summary: str
    urgency: str | None
    target_type: str | None
    target_id: str | None


@dataclass(frozen=True)
class AcknowledgeAlert:
    member_id: str


@dataclass(frozen=True)
class ResolveAlert:
    reason: str


@dataclass(frozen=True)
class AttachToAlert:
    """Voicemail recording and/or transcript for the call's alert."""

    recording_url: str | None = None
    transcript: str | None = None


Command = (
    Say
    | Gather
    | RingLegs
    | CancelLegs
    | Bridge
    | Hold
    | Record
    | Forward
    | DialSip
    | ConnectStream
    | PlaceCall
    | Hangup
    | Reject
    | RaiseAlert
    | AcknowledgeAlert
    | ResolveAlert
    | AttachToAlert
)


@dataclass(frozen=True)
class TimerSpec:
    kind: str  # ring_timeout | accept_timeout | level_delay | deadline | menu_timeout |
    #            pin_timeout | recording_timeout | max_duration | dial_timeout
    token: str
    due_at: datetime


@dataclass(frozen=True)
class Note:
    """One entry of the call's timeline, as the engine saw it."""

    kind: str
    detail: dict[str, str | int | bool | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Transition:
    state: CallState
    commands: tuple[Command, ...] = ()
    timers: tuple[TimerSpec, ...] = ()  # to arm (their kinds/tokens are in state.armed)
    notes: tuple[Note, ...] = ()
