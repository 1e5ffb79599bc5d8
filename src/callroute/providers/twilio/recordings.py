"""A Twilio recording's audio, fetched for the console's player and the API's audio endpoint.

Twilio serves a recording at its ``RecordingUrl`` (WAV; ``.mp3`` appended for MP3, a tenth of
the size) and, when the account enforces authentication on media, only to the account's
credentials. They are sent only to Twilio's own API host: a recording URL that names another
host (a row edited by hand, a forged webhook before signatures were checked) is refused, so
the account's credentials never go anywhere else.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx

from callroute.errors import NotFound, ProviderRejected, ProviderUnavailable
from callroute.providers.base import Audio
from callroute.providers.twilio.account import Credentials

TIMEOUT_SECONDS = 20.0
# Twilio's API: api.twilio.com, or with an edge and region, api.dublin.ie1.twilio.com.
TWILIO_API_HOST = re.compile(r"api(\.[a-z0-9-]+){0,2}\.twilio\.com")


def media_url(url: str, api_url: str | None) -> str:
    """Where the MP3 of the recording at ``url`` is, with Twilio's API elsewhere (``api_url``,
    CALLROUTE_TWILIO_API_URL) when it is configured so. Refuses a URL off Twilio's API."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme != "https" or not TWILIO_API_HOST.fullmatch(host):
        raise NotFound("recording: its URL is not on Twilio's API; it is not fetched")
    path = parts.path if parts.path.endswith(".mp3") else parts.path + ".mp3"
    base = api_url.rstrip("/") if api_url else f"https://{host}"
    return base + path


async def fetch(
    http: httpx.AsyncClient, credentials: Credentials, url: str, api_url: str | None
) -> Audio:
    username, password = credentials.account_sid, credentials.auth_token
    if credentials.api_key_sid and credentials.api_key_secret:
        username, password = credentials.api_key_sid, credentials.api_key_secret
    try:
        answer = await http.get(
            media_url(url, api_url), auth=(username, password), timeout=TIMEOUT_SECONDS
        )
    except httpx.TransportError as exc:
        raise ProviderUnavailable(f"Twilio could not be reached for the recording: {exc}") from exc
    if answer.status_code == 404:
        raise NotFound("recording: Twilio has no such recording (it may have been deleted)")
    if answer.status_code in (401, 403):
        raise ProviderRejected(
            f"Twilio refused the connection's credentials for the recording ({answer.status_code})"
        )
    if answer.status_code >= 400:
        raise ProviderUnavailable(f"Twilio answered {answer.status_code} for the recording")
    content_type = answer.headers.get("content-type", "audio/mpeg").split(";")[0].strip()
    return Audio(
        content_type if content_type.startswith("audio/") else "audio/mpeg", answer.content
    )
