"""Metrics of China's platforms (WeChat Official Accounts, Weibo, Douyin, Kuaishou, Bilibili).

Xiaohongshu and WeChat Channels offer no metrics API to a brand's own app (assisted publishing only):
their lists are empty until a licensed data source or manual entry feeds them. WeChat's data cube is
T+1 with 1-7 day windows and flags late data (`is_delay` on the 2025-11 article APIs); Douyin's data
starts the day after authorisation. See /work/shared/PLATFORMS.md.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .platforms_global import metrics
from .registry import Aggregation, Level, Unit

A, P = Level.ACCOUNT, Level.POST
LAST, SUM = Aggregation.LAST, Aggregation.SUM
COUNT = Unit.COUNT

# The tables read best one metric per row, as written: keep the formatter out of them.
# fmt: off
WECHAT_OA = metrics(
    "wechat_oa",
    "WeChat Official Account data cube (T+1)",
    ("cumulate_user", _("Followers"), "Total followers at the end of the day.", COUNT, A, "followers",
     LAST, "POST /datacube/getusercumulate cumulate_user"),
    ("new_user", _("New followers"), "Users who followed that day.", COUNT, A, "follower_growth", SUM,
     "POST /datacube/getusersummary new_user"),
    ("cancel_user", _("Unfollows"), "Users who unfollowed that day (kept raw).", COUNT, A, None, SUM,
     "POST /datacube/getusersummary cancel_user"),
    ("int_page_read_count", _("Article reads"), "Reads of the article.", COUNT, P, "views", LAST,
     "POST /datacube/getarticletotal details.int_page_read_count"),
    ("int_page_read_user", _("Article readers"), "People who read the article.", COUNT, P, "reach", LAST,
     "POST /datacube/getarticletotal details.int_page_read_user"),
    ("share_count", _("Shares"), "Times the article was shared.", COUNT, P, "shares", LAST,
     "POST /datacube/getarticletotal details.share_count"),
    ("add_to_fav_count", _("Favourites"), "Times the article was added to favourites.", COUNT, P, "saves",
     LAST, "POST /datacube/getarticletotal details.add_to_fav_count"),
)

WEIBO = metrics(
    "weibo",
    "Weibo Open API v2",
    ("followers_count", _("Followers"), "Followers of the account.", COUNT, A, "followers", LAST,
     "GET /2/users/show.json followers_count"),
    ("attitudes_count", _("Likes"), "Likes (attitudes) on the post.", COUNT, P, "likes", LAST,
     "GET /2/statuses/count.json attitudes"),
    ("comments_count", _("Comments"), "Comments on the post.", COUNT, P, "comments", LAST,
     "GET /2/statuses/count.json comments"),
    ("reposts_count", _("Reposts"), "Reposts of the post.", COUNT, P, "shares", LAST,
     "GET /2/statuses/count.json reposts"),
)

DOUYIN = metrics(
    "douyin",
    "Douyin Open Platform",
    ("total_fans", _("Followers"), "Fans of the account.", COUNT, A, "followers", LAST,
     "GET /data/external/user/fans/ total_fans"),
    ("new_fans", _("New followers"), "Fans gained that day.", COUNT, A, "follower_growth", SUM,
     "GET /data/external/user/fans/ new_fans"),
    ("profile_uv", _("Profile visitors"), "Visitors to the profile that day.", COUNT, A, "profile_visits",
     SUM, "GET /data/external/user/profile/ profile_uv"),
    ("play_count", _("Plays"), "Plays of the video.", COUNT, P, "views", LAST,
     "POST /video/data/ statistics.play_count"),
    ("digg_count", _("Likes"), "Likes (diggs) of the video.", COUNT, P, "likes", LAST,
     "POST /video/data/ statistics.digg_count"),
    ("comment_count", _("Comments"), "Comments on the video.", COUNT, P, "comments", LAST,
     "POST /video/data/ statistics.comment_count"),
    ("share_count", _("Shares"), "Shares of the video.", COUNT, P, "shares", LAST,
     "POST /video/data/ statistics.share_count"),
    ("download_count", _("Downloads"), "Downloads of the video (kept raw).", COUNT, P, None, LAST,
     "POST /video/data/ statistics.download_count"),
)

KUAISHOU = metrics(
    "kuaishou",
    "Kuaishou Open Platform",
    ("fan", _("Followers"), "Fans of the account.", COUNT, A, "followers", LAST,
     "GET /openapi/user_info fan"),
    ("view_count", _("Views"), "Plays of the video.", COUNT, P, "views", LAST,
     "GET /openapi/photo/info view_count"),
    ("like_count", _("Likes"), "Likes of the video.", COUNT, P, "likes", LAST,
     "GET /openapi/photo/info like_count"),
    ("comment_count", _("Comments"), "Comments on the video.", COUNT, P, "comments", LAST,
     "GET /openapi/photo/info comment_count"),
)

BILIBILI = metrics(
    "bilibili",
    "Bilibili Open Platform",
    ("follower", _("Followers"), "Followers of the account.", COUNT, A, "followers", LAST,
     "GET /arcopen/fn/data/user/stat follower"),
    ("view", _("Views"), "Plays of the video.", COUNT, P, "views", LAST,
     "GET /arcopen/fn/data/arc/stat view"),
    ("like", _("Likes"), "Likes of the video.", COUNT, P, "likes", LAST,
     "GET /arcopen/fn/data/arc/stat like"),
    ("reply", _("Comments"), "Comments (replies) on the video.", COUNT, P, "comments", LAST,
     "GET /arcopen/fn/data/arc/stat reply"),
    ("share", _("Shares"), "Shares of the video.", COUNT, P, "shares", LAST,
     "GET /arcopen/fn/data/arc/stat share"),
    ("favorite", _("Favourites"), "Times the video was added to favourites.", COUNT, P, "saves", LAST,
     "GET /arcopen/fn/data/arc/stat favorite"),
    ("coin", _("Coins"), "Coins given to the video (kept raw).", Unit.COINS, P, None, LAST,
     "GET /arcopen/fn/data/arc/stat coin"),
    ("danmaku", _("Danmaku"), "Bullet comments over the video (kept raw).", COUNT, P, None, LAST,
     "GET /arcopen/fn/data/arc/stat danmaku"),
)
# fmt: on

CHINA_METRICS = {
    "wechat_oa": WECHAT_OA,
    "weibo": WEIBO,
    "douyin": DOUYIN,
    "kuaishou": KUAISHOU,
    "bilibili": BILIBILI,
    "xiaohongshu": (),
    "wechat_channels": (),
}
