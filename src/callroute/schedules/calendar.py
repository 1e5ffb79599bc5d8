"""iCalendar (RFC 5545) rendering of shifts, with the icalendar library."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from icalendar import Calendar, Event


@dataclass(frozen=True)
class CalendarShift:
    uid: str  # stable across downloads, so calendar apps update events instead of duplicating
    summary: str
    start: datetime
    end: datetime
    description: str = ""


def render_calendar(name: str, shifts: Iterable[CalendarShift], stamp: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//callroute//on-call schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for shift in shifts:
        event = Event()
        event.add("uid", shift.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", shift.start)
        event.add("dtend", shift.end)
        event.add("summary", shift.summary)
        if shift.description:
            event.add("description", shift.description)
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data
