"""Everything wrong with a document, said at once, each problem at its path in the document
(``routers[2].menu.options[0].action.target``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from callroute.errors import ValidationFailed
from callroute.validation import error_message, field_path


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


class DocumentInvalid(ValidationFailed):
    """A 422 listing every problem of a document: ``details`` is ``{"problems": [...]}``; the
    code is every validation error's (``validation_error``), so a client handles it as one."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{count} {noun} in the document", field="document")
        self.problems = list(problems)

    def rendered_details(self) -> Any:
        return {"problems": [p.as_dict() for p in self.problems]}


def from_pydantic(errors: Sequence[Any], prefix: str = "") -> list[Problem]:
    """Pydantic's errors as problems; ``prefix`` is where the validated part sits."""
    problems = []
    for error in errors:
        where = field_path(tuple(dict(error).get("loc", ())))
        path = ".".join(p for p in (prefix, where or "") if p).replace(".[", "[")
        problems.append(Problem(path or "document", error_message(dict(error))))
    return problems


def join(prefix: str, field: str | None) -> str:
    """``routers[2]`` and ``menu.options[0]`` → ``routers[2].menu.options[0]``."""
    if not field:
        return prefix
    return f"{prefix}{field}" if field.startswith("[") else f"{prefix}.{field}"
