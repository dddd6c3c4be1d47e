"""Absolute-claim terms that China's Advertising Law forbids in ads (《中华人民共和国广告法》 art. 9(3)).

Source. Art. 9(3) itself names only "国家级", "最高级", "最佳" and ends with "等用语" ("and similar terms").
Since the 2015 revision took effect (1 Sept. 2015) a list of 极限用语 ("extreme terms") has been widely
republished by e-commerce platforms, law firms and marketing blogs; its core is the sentence
"国家级、世界级、最高级、最佳、最大、第一、唯一、首个、首选、最好、精确、顶级、最高、最低、最、最具、
最便宜、最新、最先进 ... 全网销量第一、全球首发、全国首家 ... 极品、顶尖、终极、最受欢迎、王牌、销量冠军、
第一(NO.1/Top1)、极致、永久 ... 独一无二、绝无仅有、前无古人、史无前例、万能". The terms below are that core
list plus the "百分百 / 100% / 绝对" group it commonly carries. The longer, industry-specific lists (real
estate, food, cosmetics) are left to each workspace's own banned-word lists, where a brand sets the severity.

How they are matched (content.compliance.rules.adlaw_findings): on a normalised copy of the text (NFKC, so
full-width "ＮＯ．１" counts; invisible format characters dropped, so 最 + zero-width space + 佳 counts),
longest term first. "最" on its own is a claim too ("最香的咖啡"): any 最 that is not part of a longer listed
term or of an everyday word in ALLOWED_WORDS is reported together with the character after it.
ALLOWED_WORDS holds common words that contain a claim term but claim nothing (最近 "recently", 第一次 "the
first time", 绝对值 "absolute value" ...).
"""

from __future__ import annotations

# Han-script terms, matched as substrings (Chinese has no spaces between words).
ABSOLUTE_CLAIM_TERMS: tuple[str, ...] = (
    # 级别 (rank)
    "国家级",
    "国际级",
    "世界级",
    "宇宙级",
    "最高级",
    "国家级产品",
    # 最 (superlatives)
    "最佳",
    "最好",
    "最大",
    "最高",
    "最低",
    "最具",
    "最便宜",
    "最新",
    "最先进",
    "最大程度",
    "最新技术",
    "最先进科学",
    "最受欢迎",
    "最时尚",
    "最优",
    "最优秀",
    "最强",
    "史上最低价",
    "全网最低",
    # 第一 / 唯一 / 首 (firsts and onlys)
    "第一",
    "全网第一",
    "全国第一",
    "中国第一",
    "排名第一",
    "销量第一",
    "全网销量第一",
    "第一品牌",
    "唯一",
    "独一无二",
    "首个",
    "首选",
    "首家",
    "全国首家",
    "全球首发",
    "全网首发",
    "世界领先",
    "销量冠军",
    # 极限 (extremes)
    "顶级",
    "顶尖",
    "极致",
    "极品",
    "极佳",
    "终极",
    "至尊",
    "巅峰",
    "绝佳",
    "王牌",
    "领袖品牌",
    "掌门人",
    "绝无仅有",
    "前无古人",
    "史无前例",
    "空前绝后",
    "填补国内空白",
    # 绝对 / 百分百 (absolutes)
    "绝对",
    "百分百",
    "百分之百",
    "万能",
    "永久",
)

# Everyday words that contain a claim term but make no claim. A match that is exactly one of these (at the
# same position, longest match first) is not reported.
ALLOWED_WORDS: tuple[str, ...] = (
    # 最 as "most recent / last / at most / at least ..."
    "最近",
    "最后",
    "最终",
    "最初",
    "最早",
    "最晚",
    "最迟",
    "最少",
    "最多",
    "最末",
    "最好是",  # "preferably" (you'd better ...) rather than "the best"
    # 第一 as an ordinal
    "第一次",
    "第一天",
    "第一步",
    "第一眼",
    "第一时间",
    "第一期",
    "第一季",
    "第一集",
    "第一章",
    "第一届",
    "第一轮",
    "第一批",
    "第一站",
    "第一弹",
    "第一波",
    "第一篇",
    "第一口",
    "第一件",
    "第一部",
    "第一名额",
    "第一手",
    "第一周",
    "第一个月",
    "第一年",
    # others
    "绝对值",
    "最新消息",  # news, not a product claim
    "最新动态",
    "首选项",  # "preferences" (software)
    "万能钥匙",
)

# Script-neutral claims. Reported only in text that contains Chinese characters: "100% cotton" in an
# English-only post is not what the Chinese law is about.
# Each is a regular expression matched case-insensitively on the normalised text.
LATIN_CLAIM_PATTERNS: tuple[str, ...] = (
    r"(?<![\d.])100(?:\.0+)?\s?%",
    r"(?<![A-Za-z0-9])(?:no|top)\s?\.?\s?1(?!\.?\d)",
)
