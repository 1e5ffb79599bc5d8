"""``/webhooks/twilio/*``: the URLs Twilio calls. Thin: parse, hand to handling.py, answer.

TwiML answers are ``application/xml``; status-type callbacks get an empty 204. Errors are
answered for Twilio: a bad signature is a plain 403; when callroute itself fails on a caller's
document, the caller hears an apology instead of Twilio's application-error message.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from starlette.responses import PlainTextResponse

from callroute.api.deps import Session, get_ctx
from callroute.api.errors import ErrorRenderers
from callroute.errors import ApiError, BadRequest
from callroute.providers.registry import get_provider
from callroute.providers.twilio import events, twiml
from callroute.providers.twilio.handling import SIGNATURE_HEADER, Incoming, TwilioWebhooks
from callroute.providers.twilio.provider import TwilioProvider

PREFIX = "/webhooks/twilio"
router = APIRouter(prefix=PREFIX, tags=["twilio webhooks"], include_in_schema=False)

# Webhooks that expect the caller's next document: a failure there must still say something.
_DOCUMENTS = {"voice", "gather", "dial", "record", "queue", "connection", "document"}


class _Form(dict[str, str]):
    """Form fields, with every value of a repeated field for the signature check."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__(pairs)
        self._all: dict[str, list[str]] = {}
        for name, value in pairs:
            self._all.setdefault(name, []).append(value)

    def getall(self, name: str) -> list[str]:
        return self._all.get(name, [])


async def incoming(request: Request) -> Incoming:
    ctx = get_ctx(request)
    raw_query = request.scope.get("query_string", b"").decode("latin-1")
    url = ctx.settings.public_url.rstrip("/") + request.url.path
    if raw_query:
        url += "?" + raw_query
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    signed: Any
    if "json" in content_type:
        text = body.decode("utf-8", errors="replace")
        try:
            document = json.loads(text or "{}")
        except ValueError:
            raise BadRequest("the request body is not valid JSON") from None
        params = {k: str(v) for k, v in document.items()} if isinstance(document, dict) else {}
        signed = text  # the signature covers the URL with bodySHA256, checked against this
    else:
        pairs = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
        params = signed = _Form(pairs)
    return Incoming(
        url=url,
        params=params,
        signed=signed,
        signature=request.headers.get(SIGNATURE_HEADER),
        query=dict(parse_qsl(raw_query, keep_blank_values=True)),
    )


def _service(request: Request, session: Session) -> TwilioWebhooks:
    provider = get_provider("twilio", get_ctx(request).provider_env)
    assert isinstance(provider, TwilioProvider)
    return TwilioWebhooks(session, provider)


def xml(document: str) -> Response:
    return Response(content=document, media_type="application/xml")


Handler = Callable[[TwilioWebhooks, Incoming], Awaitable[str | None]]


async def _run(request: Request, session: Session, handler: Handler) -> Response:
    ctx = get_ctx(request)
    service = _service(request, session)
    answer = await handler(service, await incoming(request))
    ctx.kick_runner()  # the step's side effects (REST calls) are due now
    return xml(answer) if answer is not None else Response(status_code=204)


def _now(request: Request) -> Any:
    return get_ctx(request).clock.now()


@router.post("/voice", summary="An inbound call (also the number's fallback URL)")
async def voice(request: Request, session: Session) -> Response:
    return await _run(request, session, lambda s, i: s.inbound(i, _now(request)))


@router.post("/status", summary="The caller's call status callbacks")
async def status(request: Request, session: Session) -> Response:
    async def handle(s: TwilioWebhooks, i: Incoming) -> None:
        # The number's status callback names the call by its CallSid; find ours by it.
        await s.caller_status(i, _now(request))

    return await _run(request, session, handle)


def _document(name: str, translate: Callable[[Incoming, Any, int], events.Keyed]) -> None:
    async def endpoint(request: Request, session: Session) -> Response:
        async def handle(s: TwilioWebhooks, i: Incoming) -> str:
            doc = i.number("d") or 0
            return await s.document_ended(i, _now(request), lambda c: translate(i, c, doc))

        return await _run(request, session, handle)

    endpoint.__name__ = f"twilio_{name}"
    router.add_api_route(f"/{name}", endpoint, methods=["POST"])


_document("gather", lambda i, c, d: events.gathered(i.params, str(c.id), d))
_document("record", lambda i, c, d: events.recorded(i.params, str(c.id), d))
_document("connection", lambda i, c, d: events.connection_ended(i.params, str(c.id), d))


@router.post("/queue", summary="The caller left the queue (<Enqueue> action)")
async def queue(request: Request, session: Session) -> Response:
    async def handle(s: TwilioWebhooks, i: Incoming) -> str:
        doc = i.number("d") or 0
        return await s.document_ended(i, _now(request), lambda c: s.queue_events(i, c, doc))

    return await _run(request, session, handle)


@router.api_route("/document", methods=["GET", "POST"], summary="A document sent by URL")
async def document(request: Request, session: Session) -> Response:
    return await _run(request, session, lambda s, i: s.document(i))


@router.post("/dial", summary="A ringing <Dial> ended")
async def dial(request: Request, session: Session) -> Response:
    async def handle(s: TwilioWebhooks, i: Incoming) -> str:
        doc = i.number("d") or 0
        return await s.document_ended(i, _now(request), lambda c: s.dial_events(i, c, doc))

    return await _run(request, session, handle)


def _callback(name: str, translate: Callable[[Incoming], events.Keyed]) -> None:
    async def endpoint(request: Request, session: Session) -> Response:
        async def handle(s: TwilioWebhooks, i: Incoming) -> None:
            await s.on_call(i, _now(request), lambda _call: translate(i))

        return await _run(request, session, handle)

    endpoint.__name__ = f"twilio_{name.replace('-', '_')}"
    router.add_api_route(f"/{name}", endpoint, methods=["POST"])


_callback("recording", lambda i: events.recording_status(i.params))
_callback("transcription", lambda i: events.transcribed(i.params))
_callback("connection-status", lambda i: events.connection_answered(i.params))
_callback("stream", lambda i: events.stream_status(i.params))


@router.post("/leg", summary="A responder's call status callbacks")
async def leg(request: Request, session: Session) -> Response:
    async def handle(s: TwilioWebhooks, i: Incoming) -> None:
        await s.leg_status(i, _now(request))

    return await _run(request, session, handle)


@router.post("/screen", summary="The whisper a responder hears on picking up")
async def screen(request: Request, session: Session) -> Response:
    return await _run(request, session, lambda s, i: s.screen(i, _now(request)))


@router.post("/screen-result", summary="The key a responder pressed")
async def screen_result(request: Request, session: Session) -> Response:
    return await _run(request, session, lambda s, i: s.screen_result(i, _now(request)))


def install(renderers: ErrorRenderers) -> None:
    """Errors on these URLs are answered for Twilio, not in the native JSON shape."""
    renderers.register(PREFIX, _render_error)
    for name in _DOCUMENTS:
        renderers.register(f"{PREFIX}/{name}", _render_document_error)


def _render_error(error: ApiError) -> Response:
    return PlainTextResponse(error.message, status_code=error.status)


def _render_document_error(error: ApiError) -> Response:
    if error.status >= 500:
        # The caller is on the line: an apology, not Twilio's application-error message.
        return xml(twiml.goodbye(twiml.UNAVAILABLE))
    return _render_error(error)
