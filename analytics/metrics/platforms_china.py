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
    ("cumulate_user", _("Followers"), _("Total followers at the end of the day."), COUNT, A, "followers",
     LAST, "POST /datacube/getusercumulate cumulate_user"),
    ("new_user", _("New followers"), _("Users who followed that day."), COUNT, A, "follower_growth", SUM,
     "POST /datacube/getusersummary new_user"),
    ("cancel_user", _("Unfollows"), _("Users who unfollowed that day (kept raw)."), COUNT, A, None, SUM,
     "POST /datacube/getusersummary cancel_user"),
    # getbizsummary (2025-11, flags late data) answers where WeChat refuses the retired getuserread:
    # read_user is int_page_read_user's new name, listed first so it is preferred.
    ("read_user", _("Article readers"), _("People who read the account's articles that day."), COUNT, A,
     "reach", SUM, "POST /datacube/getbizsummary read_user"),
    ("share_user", _("Sharers"), _("People who shared the account's articles that day (kept raw)."), COUNT,
     A, None, SUM, "POST /datacube/getbizsummary share_user (getuserread share_user before)"),
    ("zaikan_user", _("Wow (在看) readers"), _("People who marked an article 在看 that day (kept raw)."),
     COUNT, A, None, SUM, "POST /datacube/getbizsummary zaikan_user"),
    ("like_user", _("Likes"), _("People who liked the account's articles that day."), COUNT, A, "likes", SUM,
     "POST /datacube/getbizsummary like_user"),
    ("comment_count", _("Comments"), _("Comments on the account's articles that day."), COUNT, A, "comments",
     SUM, "POST /datacube/getbizsummary comment_count"),
    ("int_page_read_user", _("Article readers"), _("People who read the account's articles that day."),
     COUNT, A, "reach", SUM, "POST /datacube/getuserread int_page_read_user"),
    ("int_page_read_count", _("Article reads"), _("Reads of the account's articles that day."), COUNT, A,
     "views", SUM, "POST /datacube/getuserread int_page_read_count"),
    ("ori_page_read_user", _("Original page readers"), _("People who read the original page of an article "
     "that day (kept raw)."), COUNT, A, None, SUM, "POST /datacube/getuserread ori_page_read_user"),
    ("ori_page_read_count", _("Original page reads"), _("Reads of articles' original pages that day (kept "
     "raw)."), COUNT, A, None, SUM, "POST /datacube/getuserread ori_page_read_count"),
    ("share_count", _("Shares"), _("Times the account's articles were shared that day."), COUNT, A, "shares",
     SUM, "POST /datacube/getuserread share_count"),
    ("add_to_fav_user", _("People who saved"), _("People who added an article to favourites that day (kept "
     "raw)."), COUNT, A, None, SUM, "POST /datacube/getuserread add_to_fav_user"),
    ("add_to_fav_count", _("Favourites"),
     _("Times the account's articles were added to favourites that day."), COUNT, A, "saves", SUM,
     "POST /datacube/getuserread add_to_fav_count"),
    # getarticletotaldetail (2025-11): cumulative figures per article; the retired getarticletotal's
    # fields stay below for history read before.
    ("read_user", _("Article readers"), _("People who read the article."), COUNT, P, "reach", LAST,
     "POST /datacube/getarticletotaldetail detail_list.read_user"),
    ("share_user", _("Sharers"), _("People who shared the article (kept raw)."), COUNT, P, None, LAST,
     "POST /datacube/getarticletotaldetail detail_list.share_user"),
    ("zaikan_user", _("Wow (在看) readers"), _("People who marked the article 在看 (kept raw)."), COUNT, P,
     None, LAST, "POST /datacube/getarticletotaldetail detail_list.zaikan_user"),
    ("like_user", _("Likes"), _("People who liked the article."), COUNT, P, "likes", LAST,
     "POST /datacube/getarticletotaldetail detail_list.like_user"),
    ("comment_count", _("Comments"), _("Comments on the article."), COUNT, P, "comments", LAST,
     "POST /datacube/getarticletotaldetail detail_list.comment_count"),
    ("int_page_read_count", _("Article reads"), _("Reads of the article."), COUNT, P, "views", LAST,
     "POST /datacube/getarticletotal details.int_page_read_count"),
    ("int_page_read_user", _("Article readers"), _("People who read the article."), COUNT, P, "reach", LAST,
     "POST /datacube/getarticletotal details.int_page_read_user"),
    ("share_count", _("Shares"), _("Times the article was shared."), COUNT, P, "shares", LAST,
     "POST /datacube/getarticletotal details.share_count"),
    ("add_to_fav_count", _("Favourites"), _("Times the article was added to favourites."), COUNT, P, "saves",
     LAST, "POST /datacube/getarticletotal details.add_to_fav_count"),
)

WEIBO = metrics(
    "weibo",
    "Weibo Open API v2",
    ("followers_count", _("Followers"), _("Followers of the account."), COUNT, A, "followers", LAST,
     "GET /2/users/show.json followers_count"),
    ("statuses_count", _("Posts"), _("Posts the account has published (kept raw)."), COUNT, A, None, LAST,
     "GET /2/users/show.json statuses_count"),
    # statuses/count (batch of 100) names the counts without the suffix statuses/show gives them: the
    # same figures, the batch's names first.
    ("attitudes", _("Likes"), _("Likes (attitudes) on the post."), COUNT, P, "likes", LAST,
     "GET /2/statuses/count.json attitudes"),
    ("comments", _("Comments"), _("Comments on the post."), COUNT, P, "comments", LAST,
     "GET /2/statuses/count.json comments"),
    ("reposts", _("Reposts"), _("Reposts of the post."), COUNT, P, "shares", LAST,
     "GET /2/statuses/count.json reposts"),
    ("attitudes_count", _("Likes"), _("Likes (attitudes) on the post."), COUNT, P, "likes", LAST,
     "GET /2/statuses/show.json attitudes_count"),
    ("comments_count", _("Comments"), _("Comments on the post."), COUNT, P, "comments", LAST,
     "GET /2/statuses/show.json comments_count"),
    ("reposts_count", _("Reposts"), _("Reposts of the post."), COUNT, P, "shares", LAST,
     "GET /2/statuses/show.json reposts_count"),
)

DOUYIN = metrics(
    "douyin",
    "Douyin Open Platform",
    ("total_fans", _("Followers"), _("Fans of the account."), COUNT, A, "followers", LAST,
     "GET /data/external/user/fans/ total_fans"),
    ("new_fans", _("New followers"), _("Fans gained that day."), COUNT, A, "follower_growth", SUM,
     "GET /data/external/user/fans/ new_fans"),
    ("profile_uv", _("Profile visitors"), _("Visitors to the profile that day."), COUNT, A, "profile_visits",
     SUM, "GET /data/external/user/profile/ profile_uv"),
    ("new_play", _("Plays"), _("Plays of the account's videos that day."), COUNT, A, "views", SUM,
     "GET /data/external/user/item/ new_play"),
    ("new_issue", _("New videos"), _("Videos published that day (kept raw)."), COUNT, A, None, SUM,
     "GET /data/external/user/item/ new_issue"),
    ("total_issue", _("Videos"), _("Videos the account has published (kept raw)."), COUNT, A, None, LAST,
     "GET /data/external/user/item/ total_issue"),
    ("new_like", _("Likes"), _("Likes on the account's videos that day."), COUNT, A, "likes", SUM,
     "GET /data/external/user/like/ new_like"),
    ("new_comment", _("Comments"), _("Comments on the account's videos that day."), COUNT, A, "comments", SUM,
     "GET /data/external/user/comment/ new_comment"),
    ("new_share", _("Shares"), _("Shares of the account's videos that day."), COUNT, A, "shares", SUM,
     "GET /data/external/user/share/ new_share"),
    # 数据开放服务 item data (what the connector reads); the video/data statistics below are the older
    # endpoint's names for the same figures.
    ("total_play", _("Plays"), _("Plays of the video."), COUNT, P, "views", LAST,
     "GET /data/external/item/base/ total_play"),
    ("total_like", _("Likes"), _("Likes of the video."), COUNT, P, "likes", LAST,
     "GET /data/external/item/base/ total_like"),
    ("total_comment", _("Comments"), _("Comments on the video."), COUNT, P, "comments", LAST,
     "GET /data/external/item/base/ total_comment"),
    ("total_share", _("Shares"), _("Shares of the video."), COUNT, P, "shares", LAST,
     "GET /data/external/item/base/ total_share"),
    ("avg_play_duration", _("Average view duration"), _("Average length of a play (kept raw)."),
     Unit.SECONDS, P, None, LAST, "GET /data/external/item/base/ avg_play_duration"),
    ("play_count", _("Plays"), _("Plays of the video."), COUNT, P, "views", LAST,
     "POST /video/data/ statistics.play_count"),
    ("digg_count", _("Likes"), _("Likes (diggs) of the video."), COUNT, P, "likes", LAST,
     "POST /video/data/ statistics.digg_count"),
    ("comment_count", _("Comments"), _("Comments on the video."), COUNT, P, "comments", LAST,
     "POST /video/data/ statistics.comment_count"),
    ("share_count", _("Shares"), _("Shares of the video."), COUNT, P, "shares", LAST,
     "POST /video/data/ statistics.share_count"),
    ("download_count", _("Downloads"), _("Downloads of the video (kept raw)."), COUNT, P, None, LAST,
     "POST /video/data/ statistics.download_count"),
)

KUAISHOU = metrics(
    "kuaishou",
    "Kuaishou Open Platform",
    ("fan", _("Followers"), _("Fans of the account."), COUNT, A, "followers", LAST,
     "GET /openapi/user_info fan"),
    ("view_count", _("Views"), _("Plays of the video."), COUNT, P, "views", LAST,
     "GET /openapi/photo/info view_count"),
    ("like_count", _("Likes"), _("Likes of the video."), COUNT, P, "likes", LAST,
     "GET /openapi/photo/info like_count"),
    ("comment_count", _("Comments"), _("Comments on the video."), COUNT, P, "comments", LAST,
     "GET /openapi/photo/info comment_count"),
)

BILIBILI = metrics(
    "bilibili",
    "Bilibili Open Platform",
    ("follower", _("Followers"), _("Followers of the account."), COUNT, A, "followers", LAST,
     "GET /arcopen/fn/data/user/stat follower"),
    ("following", _("Following"), _("Accounts this account follows (kept raw)."), COUNT, A, None, LAST,
     "GET /arcopen/fn/data/user/stat following"),
    ("arc_passed_total", _("Videos"), _("Videos that passed review (kept raw)."), COUNT, A, None, LAST,
     "GET /arcopen/fn/data/user/stat arc_passed_total"),
    ("view", _("Views"), _("Plays of the video."), COUNT, P, "views", LAST,
     "GET /arcopen/fn/data/arc/stat view"),
    ("like", _("Likes"), _("Likes of the video."), COUNT, P, "likes", LAST,
     "GET /arcopen/fn/data/arc/stat like"),
    ("reply", _("Comments"), _("Comments (replies) on the video."), COUNT, P, "comments", LAST,
     "GET /arcopen/fn/data/arc/stat reply"),
    ("share", _("Shares"), _("Shares of the video."), COUNT, P, "shares", LAST,
     "GET /arcopen/fn/data/arc/stat share"),
    ("favorite", _("Favourites"), _("Times the video was added to favourites."), COUNT, P, "saves", LAST,
     "GET /arcopen/fn/data/arc/stat favorite"),
    ("coin", _("Coins"), _("Coins given to the video (kept raw)."), Unit.COINS, P, None, LAST,
     "GET /arcopen/fn/data/arc/stat coin"),
    ("danmaku", _("Danmaku"), _("Bullet comments over the video (kept raw)."), COUNT, P, None, LAST,
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
