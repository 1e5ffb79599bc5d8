"""Core errors said in a compatibility API's own field names.

The core services name the fields of the native API (``phone_number_ids[0]``, ``number``); a
layer that calls them renames those fields to its own (``routingPhoneNumber``,
``data.attributes.phone_number``), and its error renderer gives the error its shape. The rule
and the words stay the core's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from callroute.errors import ApiError


@contextmanager
def native_fields(renames: Mapping[str, str]) -> Iterator[None]:
    """Rename the field of a core error raised inside, by the native field's first part
    (``phone_number_ids`` renames ``phone_number_ids[0]``), in the field and in the message."""
    try:
        yield
    except ApiError as exc:
        field = exc.field
        if field is not None:
            head = field.split("[", 1)[0].split(".", 1)[0]
            if head in renames:
                new_field = renames[head]
                exc.message = exc.message.replace(field, new_field, 1)
                exc.field = new_field
        raise
