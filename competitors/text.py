"""Small text helpers for rival posts: plain text from HTML, hashtags."""

from __future__ import annotations

import html
import re

_TAGS = re.compile(r"<[^>]+>")
_HASHTAG = re.compile(r"(?:^|\s)#([^\s#]+)#?")


def strip_html(value: str) -> str:
    return html.unescape(_TAGS.sub(" ", value.replace("</p>", "\n").replace("<br>", "\n"))).strip()


def hashtags(text: str) -> list[str]:
    """`#tag` words, and Weibo/Xiaohongshu's `#话题#` topics, lower-cased, each once, in order."""
    seen: list[str] = []
    for match in _HASHTAG.finditer(text):
        tag = match.group(1).rstrip("#.,!?;:").lower()
        if tag and tag not in seen:
            seen.append(tag)
    return seen
