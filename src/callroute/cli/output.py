"""Where the CLI writes, and the three output formats of its read commands."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

# Lines never wrap at 80 columns when piped or logged: a key or an error stays one line.
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    YAML = "yaml"


Column = tuple[str, Callable[[dict[str, Any]], object]]


def to_json(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def to_yaml(data: object) -> str:
    import yaml  # only the commands that print YAML pay for the import

    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def emit(data: object, fmt: Format, table: Callable[[], Table]) -> None:
    """JSON and YAML print the API's own data; the table is for people."""
    if fmt is Format.JSON:
        print(to_json(data))
    elif fmt is Format.YAML:
        print(to_yaml(data), end="")
    else:
        show(table())


def show(table: Table) -> None:
    """A table at its natural width when piped, so no cell is wrapped onto a second line."""
    console = out if out.is_terminal else Console(width=100_000, soft_wrap=True)
    console.print(table)


def table_of(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> Table:
    table = Table(*(name for name, _ in columns), box=None, pad_edge=False, header_style="bold")
    for row in rows:
        table.add_row(*(_cell(get(row)) for _, get in columns))
    return table


def _cell(value: object) -> Text:
    # Text, not str: a name with brackets in it is not rich markup.
    if value is None:
        return Text("-")
    if isinstance(value, list):
        return Text(", ".join(str(item) for item in value) or "-")
    return Text(str(value))
