"""Body faults on every call of every connector, through the platform simulator (issue 17).

For each connector in the registry, each platform call it makes (derived from the Connector base class's
calls it overrides, plus its declared `extra_calls`) and each body fault the simulator injects (an HTML
page behind a 200, not JSON, the wrong shape, the answer without its fields, a truncated body): arm the
fault, make the call, and get the error its kind calls for (connectors.base.ON_UNREADABLE_ANSWER: after a
publish or reply was sent Unknown, a connect Rejected, a read Transient). A call the test has no recipe
for fails by name, so a new connector call cannot slip past.
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from channels_app.connectors.base import (
    OFFLINE_CALLS,
    ON_UNREADABLE_ANSWER,
    Connector,
    Credentials,
    MetricsResult,
    PostPayload,
)
from channels_app.connectors.errors import ConnectorError, Rejected
from channels_app.connectors.inbound import ReplyTarget
from channels_app.connectors.registry import CONNECTORS, connector_for
from platform_sim.body_faults import BODY_KINDS

from .contract_cases import ContractCase, case_for, mp4
from .test_connector_contract import REDIRECT_URI, _pkce, connect, settle

_unique = itertools.count(1)


def base_calls() -> set[str]:
    """Every public method of the Connector base class that talks to the platform."""
    return {
        name
        for name, member in vars(Connector).items()
        if not name.startswith("_") and inspect.isfunction(member) and name not in OFFLINE_CALLS
    }


def platform_calls(cls: type[Connector]) -> dict[str, type[ConnectorError]]:
    """The calls this connector makes to its platform, each with the error an unreadable answer becomes."""
    calls = {
        name: ON_UNREADABLE_ANSWER[name]
        for name in base_calls()
        if getattr(cls, name) is not getattr(Connector, name) and name not in cls.offline_calls
    }
    return {**calls, **cls.extra_calls}


@dataclass
class World:
    """One connected simulated account, and what a recipe needs to make a call."""

    sim: object
    case: ContractCase
    connector: Connector
    account: object
    credentials: Credentials

    published: int = 0
    deleted: str = ""
    acted_on: tuple[str, str] = ("", "")

    def post(self, make: Callable[[int], PostPayload] | None = None) -> str:
        self.published += 1
        payload = (make or self.case.minimal_post)(next(_unique))
        result = self.connector.publish(self.credentials, payload)
        return settle(self.connector, self.credentials, result).external_id


# A recipe prepares what the call needs (without faults) and returns the call itself; the fault is armed
# in between, so it hits the call, never its preparation. `operation`: the simulator operation to garble
# (None: the call's first request).
@dataclass(frozen=True)
class Recipe:
    prepare: Callable[[World], Callable[[], object]]
    operation: Callable[[World], str | None] = lambda world: None


def _exchange_code(world: World):
    verifier, challenge = _pkce() if world.case.pkce else ("", "")
    url = world.connector.authorization_url(
        redirect_uri=REDIRECT_URI, state="st4te", code_challenge=challenge
    )
    query = parse_qs(urlparse(url).query)
    client_id = next((query[k][0] for k in ("client_id", "client_key", "app_id") if k in query), "")
    code = world.sim.authorize(
        world.case.platform,
        world.account.external_id,
        redirect_uri=REDIRECT_URI,
        client_id=client_id,
        code_challenge=challenge,
        code_challenge_method="S256" if challenge else "",
    )
    return lambda: world.connector.exchange_code(code=code, redirect_uri=REDIRECT_URI, code_verifier=verifier)


def _connect_with_credentials(world: World):
    fields = world.case.credential_fields(world.account)
    return lambda: world.connector.connect_with_credentials(**fields)


def _publish(world: World):
    world.published += 1
    payload = world.case.minimal_post(next(_unique))
    return lambda: world.connector.publish(world.credentials, payload)


def _publish_status(world: World):
    world.published += 1
    result = world.connector.publish(world.credentials, world.case.minimal_post(next(_unique)))
    # Platforms that poll inside publish (Instagram's container, TikTok's publish_id) hand back a
    # finished result: asked again as if still pending, publish_status reads the same status.
    pending = replace(result, status="pending")
    return lambda: world.connector.publish_status(world.credentials, pending)


def _with_post(call: Callable[[World, str], object]):
    def prepare(world: World):
        post_id = world.post()
        return lambda: call(world, post_id)

    return prepare


def _delete(world: World):
    world.deleted = world.post()
    return lambda: world.connector.delete(world.credentials, world.deleted)


def _fetch_inbound(world: World):
    post_id = world.post()
    world.sim.fan_writes(
        world.case.platform,
        world.account.external_id,
        kind="comment",
        text="When does it ship?",
        author_id="9001",
        author_handle="fan1",
        post_id=post_id,
    )
    return lambda: world.connector.fetch_inbound(world.credentials)


def _fan_target(world: World) -> ReplyTarget:
    """A fan's comment on one of our posts, as the inbox would answer or act on it: read back through the
    connector where it polls; written on the simulator where the platform pushes (Meta); a WeChat
    customer-service message otherwise."""
    if world.connector.capabilities.inbound_poll:
        _fetch_inbound(world)
        message = world.connector.fetch_inbound(world.credentials).messages[0]
        return ReplyTarget(
            kind=message.kind,
            external_id=message.external_id,
            thread_id=message.thread_id,
            author_id=message.author.external_id,
            author_handle=message.author.handle,
            raw=message.raw,
        )
    if world.case.platform in ("facebook", "instagram"):  # pushed by webhooks: the fan writes on the sim
        post_id = world.post()
        fan = world.sim.fan_writes(
            world.case.platform,
            world.account.external_id,
            kind="comment",
            text="When does it ship?",
            author_id="9001",
            post_id=post_id,
        )
        return ReplyTarget(kind="comment", external_id=fan["id"], thread_id=post_id, author_id="9001")
    # WeChat: customer-service messages answer a fan's message by their openid
    return ReplyTarget(kind="direct_message", external_id="m1", thread_id="dm:fan1", author_id="fan1")


def _reply(world: World):
    to = _fan_target(world)
    return lambda: world.connector.reply(world.credentials, to=to, text="Next week!", idempotency_key="k1")


# The action each platform's simulator accepts on the comment `_fan_target` makes (X hides only replies
# in our own conversations, and the comment read back there is a mention: it is liked instead).
ITEM_ACTION = {"facebook": "hide", "instagram": "hide", "x": "like", "youtube": "hide", "weibo": "delete"}


def _item_action(world: World):
    to = _fan_target(world)
    action = ITEM_ACTION[world.case.platform]
    assert action in world.connector.capabilities.item_actions
    world.acted_on = (to.external_id, action)
    return lambda: world.connector.item_action(world.credentials, target=to, action=action)


def _send_preview(world: World):
    payload = world.case.minimal_post(next(_unique))
    return lambda: world.connector.send_preview(world.credentials, payload, wechat_id="reviewer01")


def _fetch_post_metrics(world: World):
    post_id = world.post(METRICS_POST.get(world.case.platform))
    return lambda: world.connector.fetch_post_metrics(world.credentials, [post_id])


def _yesterday():
    return datetime.now(UTC).date() - timedelta(days=1)


RECIPES: dict[str, Recipe] = {
    "exchange_code": Recipe(_exchange_code),
    "connect_with_credentials": Recipe(_connect_with_credentials),
    "refresh": Recipe(lambda w: lambda: w.connector.refresh(w.credentials)),
    "fetch_profile": Recipe(lambda w: lambda: w.connector.fetch_profile(w.credentials)),
    "publish": Recipe(_publish, operation=lambda w: w.case.publish_operation),
    "publish_status": Recipe(_publish_status),
    "delete": Recipe(_delete),
    "get_post": Recipe(_with_post(lambda w, post_id: w.connector.get_post(w.credentials, post_id))),
    "recent_posts": Recipe(_with_post(lambda w, post_id: w.connector.recent_posts(w.credentials, limit=5))),
    "fetch_account_metrics": Recipe(
        lambda w: (
            lambda: w.connector.fetch_account_metrics(
                w.credentials, since=_yesterday() - timedelta(days=2), until=_yesterday()
            )
        )
    ),
    "fetch_post_metrics": Recipe(_fetch_post_metrics),
    "fetch_inbound": Recipe(_fetch_inbound),
    "reply": Recipe(_reply),
    "item_action": Recipe(_item_action),
    "send_preview": Recipe(_send_preview),
}


def expected_error(case: ContractCase, name: str, error: type[ConnectorError]) -> type[ConnectorError]:
    if name == "delete" and not case.deletes:  # no delete API (TikTok): refused before asking
        return Rejected
    return error


def assert_true_without_the_answer(world: World, name: str, result) -> None:
    """What a call may say when the JSON it got back lacks what it would read, and still be true:
    - delete reads nothing from the answer (the simulator ran it: the post is gone);
    - metrics report every figure the answer lacks as unavailable (the metric-drift design: a figure
      the platform stops sending is "removed", never a 0), so nothing is invented;
    - a publish or reply whose id came in a header, not the body (LinkedIn's x-restli-id);
    - an item action (hide, like, delete), whose answer carries nothing to read: the platform did it."""
    if name == "delete":  # (the fault fired once: this read gets the platform's true answer)
        assert world.connector.get_post(world.credentials, world.deleted) is None
        return
    if name == "publish":  # the id came outside the body (LinkedIn's x-restli-id header)
        assert result.external_id and world.connector.get_post(world.credentials, result.external_id)
        return
    if name == "reply":  # the same for a LinkedIn comment: its URN from the x-restli-id header
        assert result.external_id.startswith("urn:li:comment:"), result
        return
    if name == "item_action":  # nothing to read in the answer: the platform did it (idempotent)
        message_id, action = world.acted_on
        done = {"hide": "hidden", "like": "liked"}.get(action)
        on_sim = [
            m
            for m in world.sim.fan_messages(world.case.platform, world.account.external_id)
            if m["id"] == message_id
        ]
        assert (on_sim and on_sim[0].get(done)) if done else (not on_sim or on_sim[0].get("deleted")), on_sim
        return
    assert name in ("fetch_account_metrics", "fetch_post_metrics"), f"{name} read an answer it lacks"
    assert isinstance(result, MetricsResult) and result.unavailable, "figures missing from the answer"


CASES = [
    pytest.param(platform, name, error, fault, id=f"{platform}-{name}-{fault}")
    for platform, cls in sorted(CONNECTORS.items())
    for name, error in sorted(platform_calls(cls).items())
    for fault in BODY_KINDS
]


def test_every_base_call_is_classified():
    # A platform call added to the Connector base class must say what an unreadable answer becomes.
    assert base_calls() == set(ON_UNREADABLE_ANSWER)


def test_every_platform_call_of_every_connector_has_a_recipe():
    missing = {
        f"{platform}.{name}"
        for platform, cls in CONNECTORS.items()
        for name in platform_calls(cls)
        if name not in RECIPES
    }
    assert not missing, f"no body-fault recipe for {sorted(missing)}: add one to RECIPES"
    assert {case.values[0] for case in CASES} == {p for p, cls in CONNECTORS.items() if platform_calls(cls)}


# Public methods a connector has beyond the Connector base class's and its `extra_calls`: each is reached
# through a call the matrix runs (or makes no platform call, or is not used by the product). A new one
# fails test_every_connector_method_is_accounted_for until it is a declared call or listed here.
HELPERS = {
    "bilibili.categories": "not used by the product (platform_sim's own tests)",
    "bilibili.edit_article": "not used by the product (platform_sim's own tests)",
    "bluesky.fetch_inbound_from_repos": "fetch_inbound (a PDS without an AppView)",
    "douyin.renew_refresh_token": "refresh",
    "facebook.inbox_owner": "no platform call (who the inbox answers as, from the credentials)",
    "facebook.graph": "every Graph call",
    "facebook.graph_version": "no platform call",
    "facebook.insights": "fetch_account_metrics, fetch_post_metrics",
    "facebook.legacy_renames": "fetch_account_metrics, fetch_post_metrics",
    "instagram.graph": "every Graph call",
    "instagram.graph_version": "no platform call",
    "instagram.inbox_owner": "no platform call (who the inbox answers as, from the credentials)",
    "instagram.insights": "fetch_account_metrics, fetch_post_metrics",
    "instagram.legacy_renames": "fetch_account_metrics",
    "instagram.publishing_quota": "publish",
    "mastodon.register_app": "not called by the product today (client id and secret come from settings)",
    "mastodon.status_text": "no platform call",
    "tiktok.creator_info": "publish",
    "wechat_oa.draft": "publish, send_preview",
}


def connector_methods(cls: type[Connector]) -> set[str]:
    """Public methods the connector's own classes define beyond the base class's and its extra_calls."""
    names = {
        name
        for klass in cls.__mro__
        if klass not in (Connector, object)
        for name, member in vars(klass).items()
        if not name.startswith("_")
        and name not in vars(Connector)
        and (inspect.isfunction(member) or isinstance(member, (staticmethod, classmethod)))
    }
    return names - set(cls.extra_calls)


def test_every_connector_method_is_accounted_for():
    found = {f"{platform}.{name}" for platform, cls in CONNECTORS.items() for name in connector_methods(cls)}
    assert found == set(HELPERS), (
        f"not a declared call (Connector.extra_calls) nor a listed helper: {sorted(found - set(HELPERS))}; "
        f"listed but gone: {sorted(set(HELPERS) - found)}"
    )


@pytest.fixture(scope="module")
def sim(platform_sim_server):
    platform_sim_server.reset()
    yield platform_sim_server
    platform_sim_server.reset()


@pytest.fixture(scope="module")
def worlds():
    """One connected account per platform, shared by the module's cases (each clears its fault)."""
    made: dict[str, World] = {}
    yield made
    for world in made.values():
        world.connector.close()


# Calls after which the shared account's credentials are spent (a refresh rotates the refresh token):
# they get an account of their own.
SPENDS_CREDENTIALS = {"refresh"}
# A LinkedIn Page (a member's own posts have no statistics API) and a Bilibili video (专栏 articles'
# figures are not read): the metrics calls then ask the platform.
LINKEDIN_PAGE = "urn:li:organization:2414183"
CREDENTIALS_EXTRA = {"linkedin": {"author": LINKEDIN_PAGE}}
METRICS_POST = {"bilibili": lambda n: PostPayload(title=f"开箱测评 {n}", text="一段视频", media=(mp4(),))}
# The platforms' own limits the shared account would meet: YouTube's daily quota (1,600 units an
# upload) is raised for it; TikTok allows 6 video inits a minute per token, so its account is replaced.
SIM_OPTIONS = {"youtube": {"daily_quota": 10**9}, "linkedin": {"organizations": [LINKEDIN_PAGE]}}
PUBLISHES_PER_ACCOUNT = {"tiktok": 3}


def world_for(sim, platform: str) -> World:
    case = case_for(platform)
    case = replace(case, sim_options={**case.sim_options, **SIM_OPTIONS.get(platform, {})})
    connector = connector_for(platform)
    account, credentials = connect(sim, case, connector)
    credentials = replace(credentials, extra={**credentials.extra, **CREDENTIALS_EXTRA.get(platform, {})})
    return World(sim=sim, case=case, connector=connector, account=account, credentials=credentials)


@pytest.mark.parametrize(("platform", "name", "error", "fault"), CASES)
def test_an_unreadable_answer_is_the_error_its_call_kind_calls_for(
    sim, worlds, platform, name, error, fault, settings
):
    # given a connected account and what the call needs
    app = case_for(platform).app
    settings.PLATFORMS = {**settings.PLATFORMS, platform: {**settings.PLATFORMS[platform], **app}}
    if name in SPENDS_CREDENTIALS:
        world = world_for(sim, platform)
    else:
        world = worlds.get(platform)
        if world is None or world.published >= PUBLISHES_PER_ACCOUNT.get(platform, 10**6):
            if world is not None:
                world.connector.close()
            world = worlds[platform] = world_for(sim, platform)
    recipe = RECIPES[name]
    try:
        call = recipe.prepare(world)
        operation = recipe.operation(world)
        rule = sim.add_fault(
            fault, platform=platform, count=1, **({"operation": operation} if operation else {})
        )
        # when
        try:
            result = call()
        except ConnectorError as raised:
            # then: the error its call kind calls for
            wanted = expected_error(world.case, name, error)
            assert type(raised) is wanted, (type(raised).__name__, str(raised))
        else:
            # or, for a JSON answer whose shape the call does not depend on, a true answer
            assert fault in ("wrong_shape", "missing_field"), f"{fault} read as a {type(result).__name__}"
            assert_true_without_the_answer(world, name, result)
            wanted = error
        fired = next(r for r in sim.faults() if r["id"] == rule["id"])["fired"]
        assert fired == 1 or wanted is not error, "the fault never reached the platform call"
    finally:
        sim.clear_faults()
        if name in SPENDS_CREDENTIALS:
            world.connector.close()
