"""The demo's content plan: its types and flows. Each brand workspace's taxonomy, campaigns, images and
posts are in demo.plan_china and demo.plan_global, gathered in demo.plans.PLANS (read by demo.content,
which creates them through the real services).

Each post names where it lands in the calendar (`window` and `at`, see demo.content.post_time) and how far
it goes (`flow`):
  draft          created, nothing more
  review         submitted for approval: waits for the first stage (the marketing manager)
  review_legal   submitted, approved by the manager: waits for legal (its text matches the Legal stage's
                 keywords)
  review_hq      submitted, approved by the manager (and legal): waits for the external HQ reviewer
  changes        submitted, approved by the manager; legal asks for changes with a comment on a phrase
  scheduled      approved (China) and scheduled for its future time
  soon           scheduled `at` minutes after seeding: the running worker publishes it (needs the simulator)
  published      planned in the past, approved, then published to the platform simulator by the real
                 publish step (needs the simulator)
Texts are written to pass each platform's checks (Weibo needs a link, X counts weighted characters);
the few that do not are drafts on purpose, so their compliance findings show.
"""

from __future__ import annotations

from dataclasses import dataclass, field

FLOWS = ("draft", "review", "review_legal", "review_hq", "changes", "scheduled", "soon", "published")
# What each flow leaves as the post's summed-up status.
FLOW_STATUS = {
    "draft": "draft",
    "review": "in_review",
    "review_legal": "in_review",
    "review_hq": "in_review",
    "changes": "draft",
    "scheduled": "scheduled",
    "soon": "scheduled",
    "published": "published",
}
# Flows that need the platform simulator (they publish); skipped without it.
SIMULATOR_FLOWS = frozenset({"soon", "published"})


@dataclass(frozen=True)
class DemoPost:
    title: str
    flow: str
    window: str  # past | future | any | next (next month) | soon
    at: float  # fraction of the window (0..1); for "soon": minutes after seeding
    variants: tuple[tuple[str, str], ...]  # (platform, text)
    time: str = "10:00"  # wall-clock time in the workspace's time zone
    pillar: str = ""
    product: str = ""
    campaign: str = ""  # a key of WorkspacePlan.campaigns
    image: str = ""  # a key of WorkspacePlan.images, attached where the platform takes media
    author: str = "editor"  # a key of WorkspacePlan.people
    paid: bool = False
    edit: tuple[str, str] = ()  # (old, new): the author edits the text once before submitting
    review_comment: str = ""  # "changes": legal's decision comment
    anchor: str = ""  # "changes": the phrase legal's inline comment is anchored on (first variant having it)
    anchor_comment: str = ""  # "changes": that inline comment
    note: str = ""  # a comment on the post (by the manager)
    # WeChat: the first article's author and articles 2-8 of the push, each {"title", "body", "author",
    # "cover": an image key, "cover_crop"} (demo/content.py turns image keys into library ids)
    wechat_author: str = ""
    wechat_articles: tuple[dict, ...] = ()
    # Xiaohongshu: the note's images in order (keys of WorkspacePlan.images; the first is the cover),
    # instead of `image`
    gallery: tuple[str, ...] = ()
    video: bool = False  # the short-video platforms' variants carry the demo video instead of `image`
    options: dict = field(default_factory=dict)  # {platform: the variant's platform settings}


@dataclass(frozen=True)
class Campaign:
    name: str
    objective: str
    color: str
    month: int  # 0: the current month, 1: the next one
    first_day: int = 1
    days: int = 0  # 0: to the end of the month


@dataclass(frozen=True)
class WorkspacePlan:
    slug: str
    people: dict[str, str]  # key -> email
    pillar_group: str
    pillars: tuple[tuple[str, str], ...]  # (name, color)
    product_group: str
    products: tuple[tuple[str, str], ...]
    campaigns: dict[str, Campaign]
    images: dict[str, tuple[str, str, str, tuple[str, str]]]  # key -> (file name, label, alt, colors)
    banned_words: tuple[tuple[str, str, str], ...]  # (word, severity, note)
    posts: tuple[DemoPost, ...]
    # The approval workflow (none: posts need no approval): its name and its three stages' names
    # (the marketing manager; legal, for posts whose text has one of `legal_keywords` or that have an
    # advertising-law or disclosure finding; the external HQ
    # reviewer `hq_email`, for brand-story posts of the launch campaign).
    workflow_name: str = ""
    stage_names: tuple[str, str, str] = ("", "", "")
    legal_keywords: tuple[str, ...] = ()
    hq_email: str = ""


IMAGES = {
    "serum": ("lumiere-radiance-serum.jpg", "Radiance Serum", "#f6d5c3", "#b4533a"),
    "cream": ("lumiere-rose-cream.jpg", "Rose Repair Cream", "#fbe3ea", "#9d2f5b"),
    "atelier": ("lumiere-paris-atelier.jpg", "Atelier Paris", "#e8e2d6", "#44403c"),
    "sunscreen": ("lumiere-uv-fluid.jpg", "UV Fluid SPF50+", "#fff4c9", "#c98a0c"),
}


def _images(alts: dict[str, str]) -> dict[str, tuple[str, str, str, tuple[str, str]]]:
    return {
        key: (name, label, alts[key], (top, bottom)) for key, (name, label, top, bottom) in IMAGES.items()
    }
