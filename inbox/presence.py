"""Who is looking at (or answering) an inbox item right now, so two people do not answer the same fan.

Each open item page announces its person every few seconds (inbox:item_presence, polled with htmx);
the announcement lives in Redis for PRESENCE_TTL seconds, so a closed tab drops out by itself. One sorted
set per item (`<prefix>:<item id>`): member "<user id>:<viewing|replying>", score = when it expires (ms).
Reads drop the expired members first. Nothing here is stored in the database. Without Redis (the
embedded `make run` defaults) the same members live in Django's cache, one dict per item (presence is a
hint: two people touching the same item at the same instant may lose one announcement until the next).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

import redis
from django.conf import settings
from django.core.cache import cache

PRESENCE_TTL = 15  # seconds; the item page re-announces every 5
VIEWING, REPLYING = "viewing", "replying"


@dataclass(frozen=True)
class Present:
    user_id: int
    mode: str  # viewing or replying


@lru_cache(maxsize=4)
def _client_for(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)


def _client() -> redis.Redis:
    return _client_for(settings.REDIS_URL)


def _key(item_id: int) -> str:
    prefix = getattr(settings, "KAWO_RATELIMIT_PREFIX", "kawo")  # tests give each worker its own
    return f"{prefix}:inbox:presence:{item_id}"


def _cached(item_id: int, now_ms: int) -> dict[str, int]:
    return {m: exp for m, exp in (cache.get(_key(item_id)) or {}).items() if exp > now_ms}


def presence_touch(*, item_id: int, user_id: int, mode: str = VIEWING) -> None:
    """This person has the item open (or is writing a reply to it) now."""
    now_ms = int(time.time() * 1000)
    other = REPLYING if mode == VIEWING else VIEWING
    if not settings.REDIS_URL:
        members = _cached(item_id, now_ms)
        members.pop(f"{user_id}:{other}", None)
        members[f"{user_id}:{mode}"] = now_ms + PRESENCE_TTL * 1000
        cache.set(_key(item_id), members, PRESENCE_TTL)
        return
    pipe = _client().pipeline()
    pipe.zrem(_key(item_id), f"{user_id}:{other}")
    pipe.zadd(_key(item_id), {f"{user_id}:{mode}": now_ms + PRESENCE_TTL * 1000})
    pipe.pexpire(_key(item_id), PRESENCE_TTL * 1000)
    pipe.execute()


def presence_leave(*, item_id: int, user_id: int) -> None:
    if not settings.REDIS_URL:
        members = _cached(item_id, int(time.time() * 1000))
        for mode in (VIEWING, REPLYING):
            members.pop(f"{user_id}:{mode}", None)
        cache.set(_key(item_id), members, PRESENCE_TTL)
        return
    _client().zrem(_key(item_id), f"{user_id}:{VIEWING}", f"{user_id}:{REPLYING}")


def presence_of(item_ids) -> dict[int, list[Present]]:
    """Who is on each of these items now (one round trip for all of them); nothing when Redis is down
    (the pages work without it)."""
    try:
        return _presence_of(list(item_ids))
    except redis.RedisError:
        return {}


def _presence_of(item_ids: list[int]) -> dict[int, list[Present]]:
    if not item_ids:
        return {}
    now_ms = int(time.time() * 1000)
    if not settings.REDIS_URL:
        stored = cache.get_many([_key(item_id) for item_id in item_ids])
        results: list = []
        for item_id in item_ids:
            members = stored.get(_key(item_id)) or {}
            results += [0, [m.encode() for m, exp in members.items() if exp > now_ms]]
        return _people(item_ids, results)
    pipe = _client().pipeline()
    for item_id in item_ids:
        pipe.zremrangebyscore(_key(item_id), "-inf", now_ms)
        pipe.zrange(_key(item_id), 0, -1)
    return _people(item_ids, pipe.execute())


def _people(item_ids: list[int], results: list) -> dict[int, list[Present]]:
    """Who is on each item, from [expired count, members] pairs per item."""
    found: dict[int, list[Present]] = {}
    for item_id, members in zip(item_ids, results[1::2], strict=True):
        people = []
        for member in members:
            user_id, _sep, mode = member.decode().partition(":")
            people.append(Present(int(user_id), mode))
        if people:
            found[item_id] = sorted(people, key=lambda p: (p.mode != REPLYING, p.user_id))
    return found
