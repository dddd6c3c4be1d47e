"""Demo inbox: a lively queue for each brand workspace in `make run` (issue 16, step 6).

`seed_demo_inbox(workspace, sim=None)` runs once per workspace (nothing when it already has inbox items):
about thirty fans' comments, replies, mentions and direct messages on its accounts over the last two
days, in Chinese and English, through the same ingest the pollers and webhooks use (so they are
deduplicated, grouped and scored for sentiment the real way); some already answered by us, some
assigned, tagged, prioritised, noted or closed; one WeChat conversation past its 48-hour window; business
hours and saved replies. With the platform simulator running, a few more fans write on Weibo and Mastodon
there, so the first polls after start bring them into the open queue while people watch.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import httpx
from django.utils import timezone

from accounts.models import WorkspaceMember
from accounts.roles import Role
from channels_app.connectors.inbound import InboundAuthor, InboundMessage
from channels_app.models import SocialAccount
from inbox import services
from inbox.models import InboxItem, InboxSettings, SavedReply

logger = logging.getLogger(__name__)


# (platform, kind, minutes ago, fan id, fan name, followers, text, thread)
MESSAGES = [
    ("weibo", "comment", 25, "58210", "小鹿爱美妆", 1820, "这个新色号太好看了！已经下单两支 💄", "p-spring"),
    ("weibo", "comment", 48, "77102", "阿柒", 96, "请问敏感肌可以用吗？会不会过敏", "p-spring"),
    ("weibo", "comment", 95, "10988", "Momo_茉茉", 5400, "质量太差了，用了一周就断了，要求退货", "p-spring"),
    (
        "weibo",
        "mention",
        130,
        "66001",
        "美妆测评君",
        88000,
        "@Lumière莱梦微博 春季新品测评来啦，整体不错",
        "m-review",
    ),
    ("weibo", "comment", 300, "43210", "糖糖", 230, "什么时候补货？等了好久了", "p-launch"),
    ("weibo", "comment", 620, "98765", "lily_li", 41, "客服一直不回复，太失望了", "p-launch"),
    ("wechat_oa", "direct_message", 12, "oLm01", "", None, "你好，我的订单 20261203 还没有发货", "dm:oLm01"),
    ("wechat_oa", "direct_message", 70, "oLm02", "", None, "会员积分怎么兑换？", "dm:oLm02"),
    ("wechat_oa", "direct_message", 52 * 60, "oLm03", "", None, "请问门店地址在哪里", "dm:oLm03"),
    ("douyin", "comment", 35, "dy880", "抖音用户5521", 12, "视频里的口红是哪个色号？", "v-1201"),
    ("douyin", "comment", 210, "dy881", "小雨", 3300, "主播好漂亮，产品也好用", "v-1201"),
    ("bilibili", "comment", 400, "bl77", "UP主阿凯", 15000, "开箱视频做得很用心，支持一下", "BV1demo"),
    (
        "x",
        "mention",
        18,
        "18001",
        "Jess K.",
        412,
        "@LumiereBeauty my order arrived broken, need a refund",
        "x-18001",
    ),
    (
        "x",
        "mention",
        260,
        "18002",
        "beautybyalex",
        23000,
        "Loving the new spring palette from @LumiereBeauty!",
        "x-18002",
    ),
    (
        "facebook",
        "comment",
        40,
        "fb-31",
        "Maria Lopez",
        None,
        "Is the foundation available in darker shades?",
        "fb-post-1",
    ),
    (
        "facebook",
        "direct_message",
        55,
        "psid-77",
        "Tom Becker",
        None,
        "Hi, can I change my delivery address?",
        "dm:psid-77",
    ),
    (
        "instagram",
        "comment",
        15,
        "ig-501",
        "glow.with.sam",
        8800,
        "Obsessed with this shade 😍",
        "ig-media-9",
    ),
    (
        "instagram",
        "comment",
        190,
        "ig-502",
        "nina.skin",
        640,
        "Does it contain fragrance? My skin is sensitive",
        "ig-media-9",
    ),
    (
        "youtube",
        "comment",
        500,
        "UCfan1",
        "Lena Makeup",
        1200,
        "Great tutorial, thanks for the tips!",
        "yt-vid-3",
    ),
    ("mastodon", "mention", 80, "109001", "ada", 150, "@lumiere do you ship to Canada?", "md-1"),
    (
        "bluesky",
        "mention",
        140,
        "did:plc:fanbsky1",
        "kai.bsky.social",
        90,
        "@lumiere.bsky.social the new tint is great",
        "bs-1",
    ),
]
TRICKLE = [
    ("weibo", "mention", "71111", "新来的粉丝", "@Lumière莱梦微博 刚收到货，包装很精致！"),
    ("mastodon", "mention", "109777", "river", "@lumiere hi! is the spring palette vegan?"),
    ("bluesky", "mention", "did:plc:fanbsky2", "mia.bsky.social", "@lumiere.bsky.social is the tint back?"),
]
SAVED = [
    ("发货时间", "{粉丝}您好，订单会在 48 小时内发出，发货后会短信通知您。感谢支持！"),
    ("敏感肌", "{粉丝}您好，本品已通过敏感肌测试，建议先在耳后试用。如有不适请联系我们。"),
    (
        "Shipping (EN)",
        "Hi {fan}, thanks for reaching out! Orders ship within 48 hours and you'll get a tracking link.",
    ),
]


def _people(workspace):
    members = {
        m.role: m.user for m in WorkspaceMember.objects.filter(workspace=workspace).select_related("user")
    }
    return members.get(Role.MANAGER), members.get(Role.EDITOR)


def seed_demo_inbox(workspace, sim=None) -> str:
    if InboxItem.objects.filter(workspace=workspace).exists():
        return f"Inbox of {workspace.name} already seeded."
    accounts = {a.platform: a for a in SocialAccount.objects.filter(workspace=workspace)}
    manager, editor = _people(workspace)
    now = timezone.now()
    InboxSettings.objects.get_or_create(workspace=workspace)
    for name, body in SAVED:
        if manager and not SavedReply.objects.filter(workspace=workspace, name=name).exists():
            services.saved_reply_create(workspace=workspace, actor=manager, name=name, body=body)
    items = []
    for index, (platform, kind, ago, fan_id, fan_name, followers, text, thread) in enumerate(MESSAGES):
        account = accounts.get(platform)
        if account is None:
            continue
        message = InboundMessage(
            kind=kind,
            external_id=f"demo-{workspace.pk}-{index}",
            author=InboundAuthor(
                external_id=fan_id, handle=fan_name or fan_id, display_name=fan_name, followers=followers
            ),
            text=text,
            sent_at=now - timedelta(minutes=ago),
            thread_id=thread,
            thread_title="春季新品上市" if platform in ("weibo", "douyin", "bilibili") else "",
        )
        items.append(services.inbox_message_ingest(account=account, message=message).item)
    # Some of it worked already: answered, assigned, tagged, noted, closed.
    if manager and editor and len(items) > 10:
        answered = items[4]
        services.inbox_message_ingest(
            account=answered.account,
            message=InboundMessage(
                kind="reply",
                external_id=f"demo-{workspace.pk}-ours",
                author=InboundAuthor(external_id=answered.account.external_id),
                text="您好，本周五补货，届时会第一时间通知～",
                sent_at=answered.sent_at + timedelta(minutes=20),
                thread_id=answered.conversation.external_id,
                parent_id=answered.external_id,
            ),
        )
        answered.refresh_from_db()
        services.inbox_item_update(
            workspace=workspace, actor=editor, item=answered, status="pending", tags=["补货"]
        )
        services.inbox_item_assign(workspace=workspace, actor=manager, item=items[2], assignee=editor)
        services.inbox_item_update(
            workspace=workspace, actor=manager, item=items[2], priority="urgent", tags=["退货", "质量"]
        )
        services.inbox_note_add(
            workspace=workspace, actor=manager, item=items[2], body="老客户，已联系质检，优先处理退货。"
        )
        services.inbox_item_assign(workspace=workspace, actor=manager, item=items[6], assignee=editor)
        services.inbox_item_update(workspace=workspace, actor=editor, item=items[11], status="closed")
    live = 0
    if sim is not None:
        for platform, kind, fan_id, fan_name, text in TRICKLE:
            account = accounts.get(platform)
            if account is None or account.external_id.startswith("demo-"):
                continue
            try:
                sim.fan_writes(
                    platform,
                    account.external_id,
                    kind=kind,
                    text=text,
                    author_id=fan_id,
                    author_handle=fan_name,
                )
            except httpx.HTTPError as exc:  # the demo goes on without the live part
                logger.warning("demo fan message on %s not written: %s", platform, exc)
                continue
            live += 1
    return f"Inbox of {workspace.name}: {len(items)} fan messages, {live} more waiting on the simulator."
