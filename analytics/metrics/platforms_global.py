"""Metrics of the global networks (X, Mastodon, Bluesky, Facebook, Instagram, LinkedIn, TikTok, YouTube).

Field names are the platforms' own (see /work/shared/PLATFORMS.md and each platform's reference):
Meta's 2025 renames are dated from Meta's changelog and developer blog (Instagram: deprecated in v22.0,
gone from every version on 2025-04-21; Facebook Page Insights: `impressions` and `page fans` metrics
gone on 2025-11-15). Best feeder first within a platform and level (registry.py explains why).
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from .registry import Aggregation, Level, PlatformMetric, Unit

A, P = Level.ACCOUNT, Level.POST
LAST, SUM = Aggregation.LAST, Aggregation.SUM
COUNT = Unit.COUNT
INSTAGRAM_RENAME = date(2025, 4, 21)
FACEBOOK_RENAME = date(2025, 11, 15)


def metrics(platform: str, api: str, *rows: tuple) -> tuple[PlatformMetric, ...]:
    """rows: (key, name, meaning, unit, level, feeds, aggregation, source[, options])."""
    built = []
    for key, name, meaning, unit, level, feeds, aggregation, source, *options in rows:
        built.append(
            PlatformMetric(
                platform=platform,
                key=key,
                name=name,
                meaning=meaning,
                unit=unit,
                level=level,
                feeds=feeds,
                aggregation=aggregation,
                source=f"{api}: {source}",
                **(options[0] if options else {}),
            )
        )
    return tuple(built)


# The tables read best one metric per row, as written: keep the formatter out of them.
# fmt: off
X = metrics(
    "x",
    "X API v2",
    ("followers_count", _("Followers"), _("People following the account."), COUNT, A, "followers", LAST,
     "GET /2/users/me user.fields=public_metrics.followers_count"),
    ("impression_count", _("Impressions"), _("Times the post was seen."), COUNT, P, "views", LAST,
     "tweet.fields=public_metrics.impression_count"),
    ("like_count", _("Likes"), _("Likes on the post."), COUNT, P, "likes", LAST,
     "public_metrics.like_count"),
    ("reply_count", _("Replies"), _("Replies to the post."), COUNT, P, "comments", LAST,
     "public_metrics.reply_count"),
    ("retweet_count", _("Reposts"), _("Reposts of the post."), COUNT, P, "shares", LAST,
     "public_metrics.retweet_count"),
    ("quote_count", _("Quotes"), _("Quote posts of the post (kept raw: not a share)."), COUNT, P, None, LAST,
     "public_metrics.quote_count"),
    ("bookmark_count", _("Bookmarks"), _("Bookmarks of the post."), COUNT, P, "saves", LAST,
     "public_metrics.bookmark_count"),
    ("url_link_clicks", _("Link clicks"), _("Clicks on the post's link; own posts under 30 days old only."),
     COUNT, P, "link_clicks", LAST, "non_public_metrics.url_link_clicks"),
    ("user_profile_clicks", _("Profile clicks"), _("Clicks on the author's profile from the post; own posts "
     "under 30 days old only."), COUNT, P, "profile_visits", LAST, "non_public_metrics.user_profile_clicks"),
)

MASTODON = metrics(
    "mastodon",
    "Mastodon REST API v1",
    ("followers_count", _("Followers"), _("Accounts following this account."), COUNT, A, "followers", LAST,
     "GET /api/v1/accounts/verify_credentials followers_count"),
    ("favourites_count", _("Favourites"), _("Favourites of the status."), COUNT, P, "likes", LAST,
     "Status.favourites_count"),
    ("replies_count", _("Replies"), _("Replies to the status."), COUNT, P, "comments", LAST,
     "Status.replies_count"),
    ("reblogs_count", _("Boosts"), _("Boosts (reblogs) of the status."), COUNT, P, "shares", LAST,
     "Status.reblogs_count"),
)

BLUESKY = metrics(
    "bluesky",
    "AT Protocol AppView (app.bsky)",
    ("followersCount", _("Followers"), _("Accounts following this account."), COUNT, A, "followers", LAST,
     "app.bsky.actor.getProfile followersCount"),
    ("likeCount", _("Likes"), _("Likes of the post."), COUNT, P, "likes", LAST,
     "app.bsky.feed.getPosts likeCount"),
    ("replyCount", _("Replies"), _("Replies to the post."), COUNT, P, "comments", LAST,
     "app.bsky.feed.getPosts replyCount"),
    ("repostCount", _("Reposts"), _("Reposts of the post."), COUNT, P, "shares", LAST,
     "app.bsky.feed.getPosts repostCount"),
    ("quoteCount", _("Quotes"), _("Quote posts of the post (kept raw: not a share)."), COUNT, P, None, LAST,
     "app.bsky.feed.getPosts quoteCount"),
)

FACEBOOK = metrics(
    "facebook",
    "Graph API Page Insights",
    ("page_follows", _("Page follows"), _("People following the Page."), COUNT, A, "followers", LAST,
     "/{page-id}/insights metric=page_follows"),
    ("page_fans", _("Page likes (fans)"), _("People who liked the Page (classic Pages)."), COUNT, A,
     "followers", LAST, "/{page-id}/insights metric=page_fans",
     {"replaced_by": "page_follows", "removed_on": FACEBOOK_RENAME}),
    ("page_daily_follows_unique", _("New follows"), _("People who started following the Page that day."),
     COUNT, A, "follower_growth", SUM, "/{page-id}/insights metric=page_daily_follows_unique period=day"),
    ("page_media_view", _("Views"), _("Times the Page's content was played or displayed that day."), COUNT,
     A, "views", SUM, "/{page-id}/insights metric=page_media_view period=day"),
    ("page_impressions", _("Impressions"), _("Times the Page's content was on screen that day."), COUNT, A,
     "views", SUM, "/{page-id}/insights metric=page_impressions period=day",
     {"replaced_by": "page_media_view", "removed_on": FACEBOOK_RENAME}),
    ("page_total_media_view_unique", _("Viewers"), _("People who saw the Page's content that day."), COUNT, A,
     "reach", SUM, "/{page-id}/insights metric=page_total_media_view_unique period=day"),
    ("page_impressions_unique", _("Reach"), _("People who had the Page's content on screen that day."), COUNT,
     A, "reach", SUM, "/{page-id}/insights metric=page_impressions_unique period=day",
     {"replaced_by": "page_total_media_view_unique", "removed_on": FACEBOOK_RENAME}),
    ("page_post_engagements", _("Post engagements"), _("Reactions, comments, shares and clicks on the "
     "Page's posts that day."), COUNT, A, "engagements", SUM,
     "/{page-id}/insights metric=page_post_engagements period=day"),
    ("page_views_total", _("Page visits"), _("Times the Page's profile was viewed that day."), COUNT, A,
     "profile_visits", SUM, "/{page-id}/insights metric=page_views_total period=day"),
    ("post_media_view", _("Views"), _("Times the post was played or displayed."), COUNT, P, "views", LAST,
     "/{post-id}/insights metric=post_media_view"),
    ("post_impressions", _("Impressions"), _("Times the post was on screen."), COUNT, P, "views", LAST,
     "/{post-id}/insights metric=post_impressions",
     {"replaced_by": "post_media_view", "removed_on": FACEBOOK_RENAME}),
    ("post_total_media_view_unique", _("Viewers"), _("People who saw the post."), COUNT, P, "reach", LAST,
     "/{post-id}/insights metric=post_total_media_view_unique"),
    ("post_impressions_unique", _("Reach"), _("People who had the post on screen."), COUNT, P, "reach", LAST,
     "/{post-id}/insights metric=post_impressions_unique",
     {"replaced_by": "post_total_media_view_unique", "removed_on": FACEBOOK_RENAME}),
    ("post_clicks", _("Clicks"), _("Clicks anywhere on the post, links or not (kept raw: not link clicks)."),
     COUNT, P, None, LAST, "/{post-id}/insights metric=post_clicks"),
    ("post_reactions_like_total", _("Likes"), _("Like reactions on the post."), COUNT, P, "likes", LAST,
     "/{post-id}/insights metric=post_reactions_like_total"),
    ("comments", _("Comments"), _("Comments on the post."), COUNT, P, "comments", LAST,
     "/{post-id}?fields=comments.summary(true) total_count"),
    ("shares", _("Shares"), _("Shares of the post."), COUNT, P, "shares", LAST,
     "/{post-id}?fields=shares.count"),
    ("post_video_views", _("Video views"), _("Times the post's video was played for 3 seconds or more."),
     COUNT, P, "video_plays", LAST, "/{post-id}/insights metric=post_video_views"),
)

INSTAGRAM = metrics(
    "instagram",
    "Instagram Graph API v22+",
    ("followers_count", _("Followers"), _("Accounts following the professional account."), COUNT, A,
     "followers", LAST, "GET /{ig-user-id}?fields=followers_count"),
    ("follower_count", _("New followers"), _("Accounts that started following that day."), COUNT, A,
     "follower_growth", SUM, "/{ig-user-id}/insights metric=follower_count period=day"),
    ("views", _("Views"), _("Times the account's content was played or displayed that day."), COUNT, A,
     "views", SUM, "/{ig-user-id}/insights metric=views period=day metric_type=total_value"),
    ("impressions", _("Impressions"), _("Times the account's content was on screen that day."), COUNT, A,
     "views", SUM, "/{ig-user-id}/insights metric=impressions period=day",
     {"replaced_by": "views", "removed_on": INSTAGRAM_RENAME}),
    ("reach", _("Reach"), _("Accounts that saw the account's content that day."), COUNT, A, "reach", SUM,
     "/{ig-user-id}/insights metric=reach period=day"),
    ("total_interactions", _("Interactions"), _("Likes, saves, comments, shares and replies that day."),
     COUNT, A, "engagements", SUM,
     "/{ig-user-id}/insights metric=total_interactions metric_type=total_value"),
    ("profile_views", _("Profile views"), _("Visits to the profile that day."), COUNT, A, "profile_visits",
     SUM, "/{ig-user-id}/insights metric=profile_views metric_type=total_value"),
    ("website_clicks", _("Website clicks"), _("Taps on the profile's link that day."), COUNT, A,
     "link_clicks", SUM, "/{ig-user-id}/insights metric=website_clicks metric_type=total_value"),
    ("views", _("Views"), _("Times the media was played or displayed."), COUNT, P, "views", LAST,
     "/{ig-media-id}/insights metric=views"),
    ("plays", _("Plays"), _("Times the reel started playing."), COUNT, P, "views", LAST,
     "/{ig-media-id}/insights metric=plays", {"replaced_by": "views", "removed_on": INSTAGRAM_RENAME}),
    ("impressions", _("Impressions"), _("Times the media was on screen."), COUNT, P, "views", LAST,
     "/{ig-media-id}/insights metric=impressions",
     {"replaced_by": "views", "removed_on": INSTAGRAM_RENAME}),
    ("video_views", _("Video views"), _("Times the video was played."), COUNT, P, "video_plays", LAST,
     "/{ig-media-id}/insights metric=video_views",
     {"replaced_by": "views", "removed_on": INSTAGRAM_RENAME}),
    ("reach", _("Reach"), _("Accounts that saw the media."), COUNT, P, "reach", LAST,
     "/{ig-media-id}/insights metric=reach"),
    ("total_interactions", _("Interactions"), _("Likes, saves, comments and shares minus un-likes, "
     "un-saves and deleted comments."), COUNT, P, "engagements", LAST,
     "/{ig-media-id}/insights metric=total_interactions"),
    ("likes", _("Likes"), _("Likes of the media."), COUNT, P, "likes", LAST,
     "/{ig-media-id}/insights metric=likes"),
    ("comments", _("Comments"), _("Comments on the media."), COUNT, P, "comments", LAST,
     "/{ig-media-id}/insights metric=comments"),
    ("shares", _("Shares"), _("Shares of the media."), COUNT, P, "shares", LAST,
     "/{ig-media-id}/insights metric=shares"),
    ("saved", _("Saves"), _("Saves of the media."), COUNT, P, "saves", LAST,
     "/{ig-media-id}/insights metric=saved"),
    ("ig_reels_video_view_total_time", _("Watch time"), _("Total time the reel was played."),
     Unit.MILLISECONDS, P, "watch_time", LAST,
     "/{ig-media-id}/insights metric=ig_reels_video_view_total_time",
     {"to_common": 0.001}),
)

LINKEDIN = metrics(
    "linkedin",
    "LinkedIn Community Management API (organic, last 12 months)",
    ("firstDegreeSize", _("Followers"), _("Members following the organisation."), COUNT, A, "followers", LAST,
     "GET /rest/networkSizes/{organization-urn}?edgeType=COMPANY_FOLLOWED_BY_MEMBER firstDegreeSize"),
    ("organicFollowerGain", _("New followers"), _("Organic followers gained that day."), COUNT, A,
     "follower_growth", SUM, "organizationalEntityFollowerStatistics followerGains.organicFollowerGain"),
    ("paidFollowerGain", _("New followers from ads"), _("Followers gained through sponsored content that day "
     "(kept raw: organic growth is the common figure)."), COUNT, A, None, SUM,
     "organizationalEntityFollowerStatistics followerGains.paidFollowerGain"),
    ("impressionCount", _("Impressions"), _("Times the organisation's shares were shown that day."), COUNT, A,
     "views", SUM, "organizationalEntityShareStatistics timeGranularityType=DAY totalShareStatistics"
     ".impressionCount"),
    ("uniqueImpressionsCount", _("Unique impressions"), _("Members who saw the organisation's shares that "
     "day."), COUNT, A, "reach", SUM, "organizationalEntityShareStatistics DAY uniqueImpressionsCount"),
    ("clickCount", _("Clicks"), _("Clicks on the organisation's shares that day."), COUNT, A, "link_clicks",
     SUM, "organizationalEntityShareStatistics DAY clickCount"),
    ("likeCount", _("Reactions"), _("Reactions to the organisation's shares that day."), COUNT, A, "likes",
     SUM, "organizationalEntityShareStatistics DAY likeCount"),
    ("commentCount", _("Comments"), _("Comments on the organisation's shares that day."), COUNT, A,
     "comments", SUM, "organizationalEntityShareStatistics DAY commentCount"),
    ("shareCount", _("Reposts"), _("Reposts of the organisation's shares that day."), COUNT, A, "shares", SUM,
     "organizationalEntityShareStatistics DAY shareCount"),
    ("allPageViews", _("Page views"), _("Views of the organisation page that day."), COUNT, A,
     "profile_visits", SUM, "organizationPageStatistics totalPageStatistics.views.allPageViews"),
    ("impressionCount", _("Impressions"), _("Times the share was shown."), COUNT, P, "views", LAST,
     "organizationalEntityShareStatistics totalShareStatistics.impressionCount"),
    ("uniqueImpressionsCount", _("Unique impressions"), _("Members who saw the share."), COUNT, P, "reach",
     LAST, "totalShareStatistics.uniqueImpressionsCount"),
    ("likeCount", _("Reactions"), _("Reactions to the share."), COUNT, P, "likes", LAST,
     "totalShareStatistics.likeCount"),
    ("commentCount", _("Comments"), _("Comments on the share."), COUNT, P, "comments", LAST,
     "totalShareStatistics.commentCount"),
    ("shareCount", _("Reposts"), _("Reposts of the share."), COUNT, P, "shares", LAST,
     "totalShareStatistics.shareCount"),
    ("clickCount", _("Clicks"), _("Clicks on the share's content, name or logo."), COUNT, P, "link_clicks",
     LAST, "totalShareStatistics.clickCount"),
    ("videoViews", _("Video views"), _("Times the share's video was viewed."), COUNT, P, "video_plays", LAST,
     "videoAnalytics type=VIDEO_VIEW"),
    ("engagement", _("Engagement (LinkedIn)"), _("LinkedIn's own rate: (clicks + likes + comments + shares) "
     "/ impressions; kept raw, ours names its denominator."), Unit.RATIO, P, None, LAST,
     "totalShareStatistics.engagement"),
)

TIKTOK = metrics(
    "tiktok",
    "TikTok Display API v2",
    ("follower_count", _("Followers"), _("Accounts following the creator."), COUNT, A, "followers", LAST,
     "GET /v2/user/info/ fields=follower_count"),
    ("likes_count", _("Likes received"), _("Likes on all of the creator's videos (kept raw)."), COUNT, A,
     None, LAST, "GET /v2/user/info/ fields=likes_count"),
    ("video_count", _("Videos"), _("Videos the creator has posted (kept raw)."), COUNT, A, None, LAST,
     "GET /v2/user/info/ fields=video_count"),
    ("view_count", _("Views"), _("Times the video was viewed."), COUNT, P, "views", LAST,
     "POST /v2/video/query/ fields=view_count"),
    ("like_count", _("Likes"), _("Likes of the video."), COUNT, P, "likes", LAST, "fields=like_count"),
    ("comment_count", _("Comments"), _("Comments on the video."), COUNT, P, "comments", LAST,
     "fields=comment_count"),
    ("share_count", _("Shares"), _("Shares of the video."), COUNT, P, "shares", LAST, "fields=share_count"),
)

YOUTUBE = metrics(
    "youtube",
    "YouTube Data API v3 / Analytics API v2",
    ("subscriberCount", _("Subscribers"), _("Subscribers of the channel (rounded by YouTube)."), COUNT, A,
     "followers", LAST, "channels.list part=statistics subscriberCount"),
    ("subscribersGained", _("Subscribers gained"), _("Subscribers gained that day."), COUNT, A,
     "follower_growth", SUM, "reports.query metrics=subscribersGained dimensions=day"),
    ("views", _("Views"), _("Views of the channel's videos that day."), COUNT, A, "views", SUM,
     "reports.query metrics=views dimensions=day"),
    ("estimatedMinutesWatched", _("Watch time"), _("Minutes watched on the channel that day."),
     Unit.MINUTES, A, "watch_time", SUM, "reports.query metrics=estimatedMinutesWatched dimensions=day",
     {"to_common": 60.0}),
    ("averageViewDuration", _("Average view duration"), _("Average length of a playback of the channel's "
     "videos that day (an average: kept raw, never summed into a figure)."), Unit.SECONDS, A, None, LAST,
     "reports.query metrics=averageViewDuration dimensions=day"),
    ("viewCount", _("Views"), _("Views of the video."), COUNT, P, "views", LAST,
     "videos.list part=statistics viewCount"),
    ("likeCount", _("Likes"), _("Likes of the video."), COUNT, P, "likes", LAST,
     "videos.list statistics.likeCount"),
    ("commentCount", _("Comments"), _("Comments on the video."), COUNT, P, "comments", LAST,
     "videos.list statistics.commentCount"),
    ("shares", _("Shares"), _("Times the video was shared."), COUNT, P, "shares", LAST,
     "reports.query filters=video==ID metrics=shares"),
    ("estimatedMinutesWatched", _("Watch time"), _("Minutes the video was watched."), Unit.MINUTES, P,
     "watch_time", LAST, "reports.query filters=video==ID metrics=estimatedMinutesWatched",
     {"to_common": 60.0}),
    ("averageViewDuration", _("Average view duration"), _("Average length of a playback."), Unit.SECONDS, P,
     None, LAST, "reports.query filters=video==ID metrics=averageViewDuration"),
)

# fmt: on

GLOBAL_METRICS = {
    "x": X,
    "mastodon": MASTODON,
    "bluesky": BLUESKY,
    "facebook": FACEBOOK,
    "instagram": INSTAGRAM,
    "linkedin": LINKEDIN,
    "tiktok": TIKTOK,
    "youtube": YOUTUBE,
}
