"""What a screen reader and a keyboard need from every console page, checked on the HTML of
each page as an owner sees it (forms included): the page's language, one title heading, a
label for every field, a name for every button and link, alternative text for pictures, and
the skip link; and the console's colours against WCAG's 4.5:1 contrast for text."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from callroute.app_context import AppContext
from callroute.console.web import STATIC_DIR
from tests.api.test_console import member, sign_in
from tests.api.test_console_security import acme_objects, console_routes, fill, settings
from tests.conftest import Tenant

__all__ = ["settings"]  # the streams read once and end, as in the security tests


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.h1 = 0
        self.labels: set[str] = set()
        self.fields: list[dict[str, str | None]] = []
        self.nameless: list[str] = []
        self.skip = False
        self._open: list[tuple[str, dict[str, str | None], list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        if tag == "h1":
            self.h1 += 1
        if tag == "label" and attributes.get("for"):
            self.labels.add(str(attributes["for"]))
        if tag in ("input", "select", "textarea") and attributes.get("type") != "hidden":
            self.fields.append(attributes)
        if tag == "img" and attributes.get("alt") is None:
            self.nameless.append(f"img {attributes.get('src')}")
        if tag == "a" and attributes.get("href") == "#main":
            self.skip = True
        if tag in ("a", "button"):
            self._open.append((tag, attributes, []))

    def handle_data(self, data: str) -> None:
        for _tag, _attributes, text in self._open:
            text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("a", "button") and self._open and self._open[-1][0] == tag:
            _tag, attributes, text = self._open.pop()
            if not "".join(text).strip() and not attributes.get("aria-label"):
                self.nameless.append(f"{tag} {attributes}")


async def test_every_page_can_be_read_and_used_without_seeing_it(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    ids = await acme_objects(client, tenant, ctx)
    await member(ctx, tenant, "olga@acme.example", role="owner")
    sign_in_page = Page()
    sign_in_page.feed((await client.get("/sign-in")).text)
    await sign_in(client, "olga@acme.example")
    pages = {"/sign-in": sign_in_page}
    for method, path in console_routes():
        if method != "GET" or path.endswith(("/stream", "/audio")):
            continue
        answer = await client.get(fill(path, ids))
        assert answer.status_code == 200, path
        pages[path] = Page()
        pages[path].feed(answer.text)
    for path, page in pages.items():
        assert page.lang == "en", path
        assert page.h1 == 1, path
        assert page.skip, path
        for field in page.fields:
            labelled = field.get("id") in page.labels or field.get("aria-label")
            assert labelled, (path, field)
        assert page.nameless == [], path


def luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    r, g, b = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


CSS = (Path(STATIC_DIR) / "console.css").read_text()
PALETTE = dict(re.findall(r"--(\w+):\s*(#[0-9a-fA-F]{3,6})", CSS))


@pytest.mark.parametrize(
    ("text", "background"),
    [
        ("ink", "bg"),
        ("muted", "bg"),
        ("muted", "#fff"),
        ("ok", "#e3f4e8"),  # the "enabled" badge
        ("bad", "#fde7ea"),  # the "disabled" / "triggered" badge
        ("bad", "bg"),  # errors
        ("#0645ad", "#fff"),  # links
        ("#fff", "#222"),  # buttons
    ],
)
def test_the_consoles_text_is_readable_against_its_background(text: str, background: str) -> None:
    def colour(name: str) -> str:
        return name if name.startswith("#") else PALETTE[name]

    assert contrast(colour(text), colour(background)) >= 4.5
