"""The callroute app plus one static TwiML endpoint, served by uvicorn: the baseline of
bench_twilio is answered by the same process, through the same middleware.

Usage: python -m bench.twilio_server <port>   (settings from CALLROUTE_* variables)
"""

from __future__ import annotations

import sys

import uvicorn
from fastapi import Response

from callroute.app import create_app
from callroute.config import load_settings
from callroute.logging import configure_logging

STATIC_TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Thanks for calling.</Say>'
    "<Hangup /></Response>"
)

settings = load_settings()
configure_logging(settings.log_level, settings.log_format)  # as `callroute serve` does
app = create_app(settings)


@app.post("/bench/static-twiml")
async def static_twiml() -> Response:
    return Response(content=STATIC_TWIML, media_type="application/xml")


# Matched first, as the webhooks are: the baseline must not pay for being the last route.
app.router.routes.insert(0, app.router.routes.pop())


if __name__ == "__main__":
    # The options of `callroute serve`: the same server, one more route.
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_config=None, proxy_headers=True)
