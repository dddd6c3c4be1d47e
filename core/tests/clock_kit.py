"""What the clock-change tests share: the zones the workspace settings offer, their UTC-offset changes in
2026-2030, and a browser's reading of a rendered form (what it would send back)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

FROM, UNTIL = datetime(2026, 1, 1, tzinfo=UTC), datetime(2031, 1, 1, tzinfo=UTC)


@cache
def offered_zones() -> tuple[str, ...]:
    """Every zone a workspace can be set to: each name of the tz database, which the model and the API
    accept (the settings form offers the Area/City names among them, and keeps a workspace's alias)."""
    import zoneinfo

    return tuple(sorted(zoneinfo.available_timezones()))


def _bisect(zone, low: datetime, high: datetime) -> datetime:
    """The first instant (to the second) in (low, high] with another offset than low's."""
    before = low.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = (low + (high - low) / 2).replace(microsecond=0)
        if middle <= low:
            break
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    return high


@cache
def transitions(name: str) -> tuple[tuple[datetime, timedelta, timedelta], ...]:
    """Each change of `name`'s UTC offset in 2026-2030: (instant, offset before, offset after)."""
    zone = ZoneInfo(name)
    found = []
    step = timedelta(days=4)  # no zone changes its offset twice within 4 days
    low, before = FROM, FROM.astimezone(zone).utcoffset()
    while low < UNTIL:
        high = min(low + step, UNTIL)
        after = high.astimezone(zone).utcoffset()
        if after != before:
            change = _bisect(zone, low, high)
            found.append((change, before, change.astimezone(zone).utcoffset()))
            before = change.astimezone(zone).utcoffset()
            low = change
            continue
        low = high
    return tuple(found)


@cache
def all_transitions() -> tuple[tuple[str, datetime, timedelta, timedelta], ...]:
    """(zone, instant, before, after) for every offered zone's offset changes in 2026-2030."""
    return tuple((name, *change) for name in offered_zones() for change in transitions(name))


class _FormReader(HTMLParser):
    """The fields of one <form> as a browser submits them (buttons left out)."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._option: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.append((name, a.get("value", "on")))
                return
            self.data.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, []]

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)
        if self._option is not None:
            self._option[2].append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.data.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "option" and self._option is not None:
            value, selected, text = self._option
            self._options.append((value if value is not None else "".join(text).strip(), selected))
            self._option = None
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected]
            if not chosen and self._options:
                chosen = [self._options[0][0]]
            self.data.extend((self._select, value) for value in chosen)
            self._select = None


def form_data(html: str, form_id: str) -> dict[str, list[str]]:
    """{name: [values]} of the form with `form_id` in `html`, as a browser would send it."""
    reader = _FormReader(form_id)
    reader.feed(html)
    out: dict[str, list[str]] = {}
    for name, value in reader.data:
        out.setdefault(name, []).append(value)
    return out
