"""Where a recording's sound is fetched from: Twilio's recordings only from Twilio's API (the
account's credentials go nowhere else), the simulator's made up as a real WAV."""

from __future__ import annotations

import io
import wave

import pytest

from callroute.errors import NotFound
from callroute.providers.simulator.audio import RATE, voicemail_wav
from callroute.providers.twilio.recordings import media_url

RECORDING = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"


def test_a_twilio_recording_is_fetched_as_mp3_from_twilios_api() -> None:
    assert media_url(RECORDING, None) == RECORDING + ".mp3"
    assert media_url(RECORDING + ".mp3", None) == RECORDING + ".mp3"
    regional = "https://api.dublin.ie1.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"
    assert media_url(regional, None) == regional + ".mp3"
    # CALLROUTE_TWILIO_API_URL (a proxy, a test double) takes the path, not the host.
    assert (
        media_url(RECORDING, "http://127.0.0.1:9/")
        == "http://127.0.0.1:9/2010-04-01/Accounts/AC1/Recordings/RE1.mp3"
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://attacker.example/2010-04-01/Accounts/AC1/Recordings/RE1",
        "https://api.twilio.com.attacker.example/Recordings/RE1",
        "https://eviltwilio.com/Recordings/RE1",
        "http://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",  # not https
        "",
    ],
)
def test_a_recording_url_off_twilios_api_is_never_fetched(url: str) -> None:
    with pytest.raises(NotFound, match="not on Twilio's API"):
        media_url(url, None)


@pytest.mark.parametrize("seconds", [1, 9, 12])
def test_the_simulators_voicemail_is_a_wav_as_long_as_the_message(seconds: int) -> None:
    with wave.open(io.BytesIO(voicemail_wav(seconds))) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, RATE)
        assert wav.getnframes() == seconds * RATE
        assert max(wav.readframes(RATE)) > 0  # not silence
