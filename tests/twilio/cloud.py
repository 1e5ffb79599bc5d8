"""Twilio, as far as callroute's tests need it: its REST API answered at the HTTP transport
(bodies shaped like Twilio's), and its webhooks signed with the official library's algorithm.

Nothing here imports callroute's Twilio code: the fake speaks Twilio's wire format only.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
from twilio.request_validator import RequestValidator

ACCOUNT_SID = "AC" + "a1" * 16
AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
OTHER_TOKEN = "fedcba9876543210fedcba9876543210"
PUBLIC_URL = "https://callroute.example.com"
API = "https://api.twilio.com/2010-04-01"
MAX_TWIML = 4000  # characters of a call update's inline Twiml


def sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


def sign(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    """``X-Twilio-Signature`` as Twilio computes it (the official validator's algorithm)."""
    return str(RequestValidator(token).compute_signature(url, params))


@dataclass
class Request:
    method: str
    path: str
    form: dict[str, list[str]]
    status: int = 0  # what the fake answered
    host: str = ""
    user: str = ""  # who the request authenticated as (HTTP basic)

    def one(self, name: str) -> str | None:
        values = self.form.get(name)
        return values[0] if values else None


@dataclass
class Held:
    started: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class TwilioCloud:
    """Answers the REST calls callroute makes, and remembers them."""

    requests: list[Request] = field(default_factory=list)
    owned: dict[str, dict[str, Any]] = field(default_factory=dict)  # number -> resource
    calls: dict[str, dict[str, Any]] = field(default_factory=dict)  # sid -> resource
    fail: dict[str, list[int]] = field(default_factory=dict)  # path regex -> statuses to return
    error: dict[str, tuple[int, int, str]] = field(
        default_factory=dict
    )  # regex -> (http, code, msg)
    available: list[str] = field(default_factory=lambda: ["+12015550123", "+12015550124"])

    holds: dict[str, Held] = field(default_factory=dict)  # path regex -> held once
    slow: dict[str, float] = field(default_factory=dict)  # path regex -> seconds to answer
    recordings: dict[str, bytes] = field(default_factory=dict)  # RecordingSid -> its MP3
    slowed: asyncio.Event = field(default_factory=asyncio.Event)  # a slow request arrived
    # path regex -> refusals (http, code, msg) for the next requests, one each
    refusals: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle_async)

    def hold(self, pattern: str) -> Held:
        """Keep the next request to a path matching ``pattern`` waiting until released."""
        held = self.holds[pattern] = Held()
        return held

    async def handle_async(self, request: httpx.Request) -> httpx.Response:
        for pattern, held in list(self.holds.items()):
            if re.search(pattern, request.url.path):
                del self.holds[pattern]
                held.started.set()
                await held.release.wait()
        for pattern, seconds in self.slow.items():
            if re.search(pattern, request.url.path):
                self.slowed.set()
                await asyncio.sleep(seconds)
        return self.handle(request)

    def made(self, pattern: str, method: str = "POST", *, ok: bool = False) -> list[Request]:
        """Requests to paths matching ``pattern``; ``ok``: only those answered 2xx."""
        return [
            r
            for r in self.requests
            if r.method == method
            and re.search(pattern, r.path)
            and (not ok or 200 <= r.status < 300)
        ]

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        form: dict[str, list[str]] = {}
        for name, value in parse_qsl(request.content.decode(), keep_blank_values=True):
            form.setdefault(name, []).append(value)
        for name, value in parse_qsl(request.url.query.decode(), keep_blank_values=True):
            form.setdefault(name, []).append(value)
        auth = request.headers.get("authorization", "")
        user = ""
        if auth.startswith("Basic "):
            user = base64.b64decode(auth[6:]).decode().split(":", 1)[0]
        recorded = Request(request.method, path, form, host=request.url.host, user=user)
        self.requests.append(recorded)
        response = self._answer(request.method, path, form)
        recorded.status = response.status_code
        return response

    def _answer(self, method: str, path: str, form: dict[str, list[str]]) -> httpx.Response:
        for pattern, statuses in self.fail.items():
            if re.search(pattern, path) and statuses:
                status = statuses.pop(0)
                return httpx.Response(status, json={"code": 20500, "message": "Internal"})
        for pattern, queued in self.refusals.items():
            if re.search(pattern, path) and queued:
                status, code, message = queued.pop(0)
                body = {"code": code, "message": message, "more_info": "", "status": status}
                return httpx.Response(status, json=body)
        for pattern, (status, code, message) in self.error.items():
            if re.search(pattern, path):
                body = {"code": code, "message": message, "more_info": "", "status": status}
                return httpx.Response(status, json=body)
        return self._route(method, path, form)

    def _route(self, method: str, path: str, form: dict[str, list[str]]) -> httpx.Response:
        one = {k: v[0] for k, v in form.items()}
        if re.fullmatch(r"/2010-04-01/Accounts/AC\w+\.json", path):
            return _json({"sid": ACCOUNT_SID, "friendly_name": "Acme", "status": "active"})
        if m := re.fullmatch(r"/2010-04-01/Accounts/AC\w*/Recordings/(RE\w+)\.mp3", path):
            if m.group(1) not in self.recordings:
                return httpx.Response(404, json={"code": 20404, "message": "not found"})
            return httpx.Response(
                200, content=self.recordings[m.group(1)], headers={"content-type": "audio/mpeg"}
            )
        if m := re.fullmatch(
            r"/2010-04-01/Accounts/AC\w+/AvailablePhoneNumbers/(\w\w)/(\w+)\.json", path
        ):
            country = m.group(1)
            numbers = [n for n in self.available if one.get("Contains", "") in n]
            return _json(
                {
                    "available_phone_numbers": [
                        {
                            "phone_number": n,
                            "friendly_name": n,
                            "iso_country": country,
                            "capabilities": {"voice": True, "SMS": True, "MMS": False},
                        }
                        for n in numbers
                    ],
                    "uri": path,
                }
            )
        if path.endswith("/IncomingPhoneNumbers.json") and method == "POST":
            number = one["PhoneNumber"]
            resource: dict[str, Any] = {"sid": sid("PN"), "phone_number": number, **_hooks(one)}
            resource["capabilities"] = {"voice": True, "sms": True, "mms": False}
            self.owned[number] = resource
            return _json(resource, 201)
        if path.endswith("/IncomingPhoneNumbers.json"):
            wanted = one.get("PhoneNumber")
            found = [r for n, r in self.owned.items() if wanted in (None, n)]
            return _json({"incoming_phone_numbers": found, "uri": path})
        if m := re.fullmatch(r".*/IncomingPhoneNumbers/(PN\w+)\.json", path):
            found_sid = m.group(1)
            owned = next((r for r in self.owned.values() if r["sid"] == found_sid), None)
            if owned is None:
                return httpx.Response(404, json={"code": 20404, "message": "not found"})
            if method == "DELETE":
                self.owned.pop(owned["phone_number"])
                return httpx.Response(204)
            owned.update(_hooks(one))
            return _json(owned)
        if path.endswith("/Calls.json") and method == "POST":
            call_sid = sid("CA")
            resource = {
                "sid": call_sid,
                "to": one.get("To"),
                "from": one.get("From"),
                "status": "queued",
                "price": None,
                "price_unit": "USD",
            }
            self.calls[call_sid] = resource
            return _json(resource, 201)
        if path.endswith("/Calls.json"):  # the list, filtered as Twilio filters it
            found = [
                c
                for c in self.calls.values()
                if one.get("To") in (None, c.get("to")) and one.get("From") in (None, c.get("from"))
            ]
            return _json({"calls": found, "uri": path, "page": 0, "page_size": 50})
        if m := re.fullmatch(r".*/Calls/(CA\w+)\.json", path):
            resource = self.calls.setdefault(
                m.group(1),
                {"sid": m.group(1), "status": "in-progress", "price": None, "price_unit": "USD"},
            )
            if method == "POST":
                if len(one.get("Twiml", "")) > MAX_TWIML:
                    return httpx.Response(
                        400,
                        json={"code": 32018, "message": "Twiml exceeds 4000 characters"},
                    )
                if resource.get("status") == "completed":
                    return httpx.Response(
                        400, json={"code": 21220, "message": "Call is not in-progress."}
                    )
                resource.update({k.lower(): v for k, v in one.items()})
            return _json(resource)
        return httpx.Response(404, json={"code": 20404, "message": f"no fake for {path}"})


def _hooks(form: dict[str, str]) -> dict[str, str]:
    names = {
        "VoiceUrl": "voice_url",
        "VoiceFallbackUrl": "voice_fallback_url",
        "StatusCallback": "status_callback",
        "VoiceMethod": "voice_method",
    }
    return {names[k]: v for k, v in form.items() if k in names}


def _json(body: dict[str, Any], status: int = 200) -> httpx.Response:
    return httpx.Response(
        status, content=json.dumps(body), headers={"content-type": "application/json"}
    )


@dataclass
class Phone:
    """Twilio's side of one call: posts its webhooks to callroute, signed."""

    client: httpx.AsyncClient
    call_sid: str
    caller: str
    number: str
    token: str = AUTH_TOKEN

    def base(self, **extra: str) -> dict[str, str]:
        return {
            "AccountSid": ACCOUNT_SID,
            "CallSid": self.call_sid,
            "From": self.caller,
            "To": self.number,
            "ApiVersion": "2010-04-01",
            "Direction": "inbound",
            **extra,
        }

    async def post(
        self,
        url: str,
        params: dict[str, str],
        *,
        token: str | None = None,
        signature: str | None = "sign",
    ) -> httpx.Response:
        """POST ``params`` to ``url`` (an absolute public URL, as TwiML or a REST call
        gave it) the way Twilio does."""
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signature == "sign":
            headers["X-Twilio-Signature"] = sign(url, params, token or self.token)
        elif signature is not None:
            headers["X-Twilio-Signature"] = signature
        parts = urlsplit(url)
        local = parts.path + (f"?{parts.query}" if parts.query else "")
        return await self.client.post(local, content=urlencode(params), headers=headers)

    async def call(self, **extra: str) -> ET.Element:
        response = await self.post(
            f"{PUBLIC_URL}/webhooks/twilio/voice", self.base(CallStatus="ringing", **extra)
        )
        return twiml_of(response)


def twiml_of(response: httpx.Response) -> ET.Element:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml"), response.headers
    root = ET.fromstring(response.text)  # noqa: S314 - our own server's answer
    assert root.tag == "Response"
    return root


def shape(root: ET.Element) -> list[str]:
    """The verbs of a document, nested ones in brackets: ["Say", "Gather[Say]"]."""
    out = []
    for child in root:
        inner = shape(child)
        out.append(child.tag + (f"[{','.join(inner)}]" if inner else ""))
    return out
