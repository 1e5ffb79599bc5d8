"""Engine commands as TwiML, built with the official library (never by string).

The caller's call runs one TwiML *document* at a time. Each document callroute hands out is
numbered; every callback URL in it carries that number (``d``), so a callback from a document
that has since been replaced is recognised as stale. A document never simply runs out while
the call goes on: it ends in a verb that reports back (Gather, Dial, Record, Connect), waits
(Enqueue) or hangs up.

Ringing responders:
- ``dial`` mode: one ``<Dial>`` per attempt with a ``<Number>`` per leg (Twilio rings at most
  ten at once), each with a whisper (``url``) asking the responder to press 1, and its own
  status callback; Twilio bridges the first who accepts.
- ``hold`` mode: the caller waits in the call's own queue (``<Enqueue>``) with music while
  responders are called out of band (REST); the one who accepts is given
  ``<Dial><Queue>`` and so takes the caller out of the queue.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from twilio.twiml.voice_response import Connect, Dial, Enqueue, Gather, VoiceResponse

from callroute.engine.callflow import model as m

MAX_DIAL_NUMBERS = 10  # Twilio rings at most ten nouns of one <Dial> at once
# Twilio's documented ranges: a <Dial> rings 5-600 s; a REST update's inline Twiml is at most
# 4,000 characters (a longer document is served at a URL of ours instead).
DIAL_TIMEOUT_RANGE = (5, 600)
MAX_INLINE_TWIML = 4000
LEG_EVENTS = "initiated ringing answered completed"
SCREEN_SECONDS = 10  # how long a responder has to press a key after the prompt
DIAL_BACKSTOP_SECONDS = 15  # the engine ends an attempt; Twilio's own timeout only backs it up
ACCEPTED_TOO_LATE = m.Prompt("Someone else has taken this call. Goodbye.")
NOT_IN_SERVICE = m.Prompt("The number you have called is not in service. Goodbye.")
UNAVAILABLE = m.Prompt("Sorry, we cannot take your call right now. Please try again later.")

# Commands that act on responders' own calls, never on the caller's document.
LEG_COMMANDS = (m.CancelLegs, m.Bridge)
# Verbs after which nothing more of a document runs (Twilio asks for the next one, waits, or
# the call ends).
_FINAL = (m.Gather, m.Record, m.Forward, m.DialSip, m.ConnectStream, m.Hold, m.Hangup, m.Reject)


class Urls:
    """The webhook URLs of one deployment (``CALLROUTE_PUBLIC_URL``)."""

    def __init__(self, public_url: str) -> None:
        self.base = public_url.rstrip("/") + "/webhooks/twilio"

    def url(self, name: str, **params: object) -> str:
        query = urlencode({k: str(v) for k, v in params.items() if v is not None})
        return f"{self.base}/{name}" + (f"?{query}" if query else "")

    @property
    def voice(self) -> str:
        return self.url("voice")

    @property
    def status(self) -> str:
        return self.url("status")


@dataclass(frozen=True)
class Document:
    """What a caller document's URLs need to know."""

    urls: Urls
    call_id: uuid.UUID
    number: int  # this document's number
    router_number: str
    hold_music_url: str | None = None  # what the caller hears while waiting in the queue

    @property
    def queue(self) -> str:
        return queue_name(self.call_id)

    def url(self, name: str, **params: object) -> str:
        return self.urls.url(name, call=self.call_id, d=self.number, **params)


def queue_name(call_id: uuid.UUID) -> str:
    return f"callroute-{call_id.hex}"


def caller_commands(commands: Sequence[m.Command], mode: m.RingMode) -> list[m.Command]:
    """The commands that change what the caller hears (in hold mode, ringing happens out of
    band: the caller is already waiting in the queue)."""
    wanted: list[m.Command] = []
    for command in commands:
        if isinstance(command, LEG_COMMANDS):
            continue
        if isinstance(command, m.RingLegs) and command.mode is m.RingMode.HOLD:
            continue
        wanted.append(command)
    return wanted


def caller_document(commands: Sequence[m.Command], doc: Document, *, ended: bool) -> str:
    """The caller's next document. ``ended``: the engine has ended the call (a document that
    does not hang up by itself then does); otherwise one that would run out waits in the
    call's queue, with Twilio's music, for the next document."""
    response = VoiceResponse()
    final = False
    for command in commands:
        _append(response, command, doc)
        final = isinstance(command, _FINAL) or (
            isinstance(command, m.RingLegs) and command.mode is m.RingMode.DIAL
        )
        if final:
            break
    if not final:
        if ended:
            response.hangup()
        else:
            response.append(_enqueue(doc, doc.hold_music_url))
    return str(response)


def dialled_legs(commands: Sequence[m.Command]) -> list[str]:
    """The legs a caller document dials (dial mode), in order, at most ten."""
    for command in commands:
        if isinstance(command, m.RingLegs) and command.mode is m.RingMode.DIAL:
            return [leg.leg_id for leg in command.legs[:MAX_DIAL_NUMBERS]]
    return []


def _append(response: VoiceResponse, command: m.Command, doc: Document) -> None:
    match command:
        case m.Say(prompt):
            _prompt(response, prompt)
        case m.Gather():
            response.append(_gather(command, doc))
        case m.RingLegs(mode=m.RingMode.DIAL):
            response.append(_dial_legs(command, doc))
        case m.Hold(music_url):
            response.append(_enqueue(doc, music_url))
        case m.Record():
            _prompt(response, command.greeting)
            response.record(
                action=doc.url("record"),
                method="POST",
                max_length=command.max_length_seconds,
                finish_on_key=command.finish_on_key,
                play_beep=True,
                transcribe=command.transcribe,
                transcribe_callback=doc.urls.url("transcription", call=doc.call_id)
                if command.transcribe
                else None,
                recording_status_callback=doc.urls.url("recording", call=doc.call_id),
                recording_status_callback_event="completed",
            )
        case m.Forward() | m.DialSip():
            response.append(_connection(command, doc))
        case m.ConnectStream():
            response.append(_stream(command, doc))
        case m.Hangup():
            response.hangup()
        case m.Reject():
            response.reject(reason="rejected")


def _prompt(parent: VoiceResponse | Gather, prompt: m.Prompt) -> None:
    if prompt.audio_url:
        parent.play(prompt.audio_url)
    elif prompt.text:
        parent.say(prompt.text, voice=prompt.voice, language=prompt.language)


def _gather(command: m.Gather, doc: Document) -> Gather:
    gather = Gather(
        input="dtmf",
        num_digits=command.num_digits,
        timeout=command.timeout_seconds,
        # No finish key unless asked: otherwise "#" would be swallowed instead of reported.
        finish_on_key=command.finish_on_key or "",
        action=doc.url("gather"),
        method="POST",
        # No input is reported too (as empty digits): the engine decides what it means.
        action_on_empty_result=True,
    )
    _prompt(gather, command.prompt)
    return gather


def _dial_legs(command: m.RingLegs, doc: Document) -> Dial:
    dial = Dial(
        action=doc.url("dial"),
        method="POST",
        timeout=dial_timeout(command.timeout_seconds + DIAL_BACKSTOP_SECONDS),
        caller_id=command.caller_id,
        answer_on_bridge=True,
    )
    for leg in command.legs[:MAX_DIAL_NUMBERS]:
        leg_urls = {"call": doc.call_id, "leg": leg.leg_id}
        dial.number(
            leg.number,
            url=doc.urls.url("screen", **leg_urls) if command.require_accept else None,
            method="POST",
            status_callback=doc.urls.url("leg", **leg_urls),
            status_callback_event=LEG_EVENTS,
            status_callback_method="POST",
        )
    return dial


def dial_timeout(seconds: int) -> int:
    low, high = DIAL_TIMEOUT_RANGE
    return max(low, min(high, seconds))


def _enqueue(doc: Document, music_url: str | None) -> Enqueue:
    return Enqueue(
        doc.queue,
        action=doc.url("queue"),
        method="POST",
        wait_url=music_url,
        wait_url_method="GET" if music_url else None,
    )


def _connection(command: m.Forward | m.DialSip, doc: Document) -> Dial:
    dial = Dial(
        action=doc.url("connection"),
        method="POST",
        timeout=dial_timeout(command.timeout_seconds),
        caller_id=command.caller_id,
        answer_on_bridge=True,
    )
    status = {
        "status_callback": doc.urls.url("connection-status", call=doc.call_id),
        "status_callback_event": "answered",
        "status_callback_method": "POST",
    }
    if isinstance(command, m.Forward):
        dial.number(command.number, **status)
    else:
        dial.sip(command.uri, **status)
    return dial


def _stream(command: m.ConnectStream, doc: Document) -> Connect:
    connect = Connect(action=doc.url("connection"), method="POST")
    stream = connect.stream(
        url=command.url,
        status_callback=doc.urls.url("stream", call=doc.call_id),
        status_callback_method="POST",
    )
    # Twilio's streams take no query string: what the bot needs to know travels as parameters.
    stream.parameter(name="call_id", value=str(doc.call_id))
    stream.parameter(name="to", value=doc.router_number)
    for name, value in command.parameters:
        stream.parameter(name=name, value=value)
    return connect


def screen_document(prompt: m.Prompt, urls: Urls, call_id: uuid.UUID, leg_id: str) -> str:
    """Whisper for a responder who picked up: press 1 to take the call. Any other key, or
    none (a personal voicemail never presses a key), is reported too; the answer decides."""
    response = VoiceResponse()
    gather = Gather(
        input="dtmf",
        num_digits=1,
        timeout=SCREEN_SECONDS,
        finish_on_key="",
        action=urls.url("screen-result", call=call_id, leg=leg_id),
        method="POST",
        action_on_empty_result=True,
    )
    _prompt(gather, prompt)
    response.append(gather)
    return str(response)


def join_caller(call_id: uuid.UUID) -> str:
    """For the responder who accepted in hold mode: take the caller out of the queue."""
    response = VoiceResponse()
    dial = Dial()
    dial.queue(queue_name(call_id))
    response.append(dial)
    return str(response)


def accepted() -> str:
    """Dial mode: an empty answer to the whisper lets Twilio bridge the responder."""
    return str(VoiceResponse())


def goodbye(prompt: m.Prompt | None = None) -> str:
    response = VoiceResponse()
    if prompt is not None:
        _prompt(response, prompt)
    response.hangup()
    return str(response)
