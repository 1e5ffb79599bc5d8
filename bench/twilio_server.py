"""The callroute app plus one static TwiML endpoint, served by uvicorn: the baseline of
bench_twilio is answered by the same process, through the same middleware.

Usage: python -m bench.twilio_server <port>   (settings from CALLROUTE_* variables)
"""

from __future__ import annotations

import sys

import uvicorn
from fastapi import Response

from callroute.app import create_app

STATIC_TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Thanks for calling.</Say>'
    "<Hangup /></Response>"
)

app = create_app()


@app.post("/bench/static-twiml")
async def static_twiml() -> Response:
    return Response(content=STATIC_TWIML, media_type="application/xml")


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
