from __future__ import annotations

import re
import unicodedata


def slugify(name: str, max_length: int = 100) -> str:
    """ASCII, lower case, words joined by hyphens: "Café Ops!" → "cafe-ops"."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:max_length]
