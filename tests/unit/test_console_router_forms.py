"""The router form's pure parts: what it sends for what was typed, where the API's messages
go, and the words for what a router points at."""

from __future__ import annotations

import uuid

from callroute.console import router_forms as forms
from callroute.console import router_update as update
from callroute.console import router_words as words
from callroute.errors import ValidationFailed
from callroute.routers.schemas import RouterConfig

POLICY = uuid.UUID("0190a000-0000-7000-8000-000000000001")


def _config(**extra: object) -> RouterConfig:
    return RouterConfig.model_validate(
        {
            "greeting": {"audio_url": "https://example.com/hello.mp3"},
            "action": {"type": "ring", "target": {"type": "escalation_policy", "id": str(POLICY)}},
            "ringing": {"deadline_seconds": 120},
            **extra,
        }
    )


def test_an_audio_greeting_is_kept_unless_a_text_is_typed() -> None:
    config = _config()
    slots = forms.slots_of(config, words.Names())
    kept = update.update_body(config, slots, {"greeting": " "})
    assert kept["greeting"]["audio_url"] == "https://example.com/hello.mp3"
    typed = update.update_body(config, slots, {"greeting": "Hello."})
    assert typed["greeting"] == {"language": "en-US", "voice": None, "text": "Hello."}


def test_an_input_left_out_keeps_its_setting_and_an_emptied_one_clears_it() -> None:
    config = _config()
    slots = forms.slots_of(config, words.Names())
    assert update.update_body(config, slots, {})["ringing"]["deadline_seconds"] == 120
    cleared = update.update_body(config, slots, {"ringing.deadline_seconds": ""})
    assert cleared["ringing"]["deadline_seconds"] is None
    typed = update.update_body(config, slots, {"action.ring_timeout_seconds": "ten"})
    assert typed["action"]["ring_timeout_seconds"] == "ten"  # for the schema to refuse


def test_the_apis_messages_go_beside_the_input_holding_the_field() -> None:
    labels = {"greeting": "Greeting", "menu.prompt": "Menu prompt"}
    error = ValidationFailed(
        "menu.prompt.text: String should have at least 1 character",
        field="menu.prompt.text",
    )
    errors, summary = forms.problems(error, labels, [])
    assert errors == {"menu.prompt": "String should have at least 1 character"}
    assert [(p.text, p.input) for p in summary] == [
        ("Menu prompt: String should have at least 1 character", "menu.prompt")
    ]
    elsewhere = ValidationFailed("alert.urgency: no urgency 'x' in this project", field="alert")
    errors, summary = forms.problems(elsewhere, labels, [])
    assert errors == {}
    assert summary[0].input is None  # the form has no input for it: the summary says it


def test_a_target_removed_since_is_named_as_missing() -> None:
    config = _config()
    assert config.action is not None
    said = words.action(config.action, words.Names())
    assert said == f"rings a missing escalation policy ({POLICY}): nobody is rung"
    named = words.action(config.action, words.Names(of={POLICY: "Hotline policy"}))
    assert named.startswith("rings the escalation policy “Hotline policy”")
