"""Compliance on what would be sent: each target's payload checked (text, first comment, title, alt
texts, the paid flag), the stored summary, and the live check the composer calls."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from accounts.models import Workspace
from channels_app.models import SocialAccount

from .. import compliance as compliance_engine
from ..article_labels import article_label
from ..models import (
    BannedWord,
    MediaAsset,
    Post,
)
from ..payload import reader_texts, target_payload

# --- lookups inside the workspace -------------------------------------------------------------------
from .lookups import _fetch, _ids, _resolve_targets, takes_first_comment
from .versions import _load, _target_media


def workspace_banned_words(workspace: Workspace) -> list[BannedWord]:
    return list(BannedWord.objects.filter(workspace=workspace))


def compliance_for_payload(payload, *, platform: str, media_infos: Sequence = (), banned_words=()) -> list:
    """Every finding about what one connector would receive (content.payload.target_payload): the text,
    the first comment, the title and each media item's alt text, as sent. `media_infos`: the variant's
    media as MediaInfo (dimensions and duration for the platform's limits), in the payload's order. The
    publish step runs this on the exact payload it sends; scheduling and review run it on the same."""
    findings = compliance_engine.check(
        payload.text,
        platforms=[platform],
        media=list(media_infos),
        banned_words=banned_words,
        is_paid_or_kol=payload.paid_or_kol,
        title=payload.title,
        link=payload.link,
        options=payload.options,
        articles=payload.articles,
    )
    if payload.first_comment:
        findings += compliance_engine.check_first_comment(
            payload.first_comment, platforms=[platform], banned_words=banned_words
        )
    if payload.title:
        findings += compliance_engine.check_words(
            payload.title, field=compliance_engine.TITLE, platforms=[platform], banned_words=banned_words
        )
    for index, item in enumerate(payload.media):
        if item.alt_text:
            findings += compliance_engine.check_words(
                item.alt_text,
                field=compliance_engine.alt_text_field(index),
                platforms=[platform],
                banned_words=banned_words,
            )
    # A WeChat push's articles 2-8: every text a reader sees in each (content.payload.reader_texts reads
    # the dataclass), each finding's `field` saying which article and which field ("articles.1.title").
    for index, article in enumerate(payload.articles):
        for path, text in reader_texts(article, f"articles.{index}"):
            if text:
                findings += compliance_engine.check_words(
                    text, field=path, platforms=[platform], banned_words=banned_words
                )
    return findings


def compliance_for_post(post: Post, *, banned_words: Sequence[BannedWord] | None = None) -> list[dict]:
    """Findings per target: [{"target", "account", "handle", "platform", "findings": [ComplianceFinding]}];
    a target's findings are its text's, then its first comment's, title's and alt texts' (each finding's
    `field` says which), all computed on the payload the connector would receive."""
    if banned_words is None:
        banned_words = list(BannedWord.objects.filter(workspace_id=post.workspace_id))
    results = []
    for target in post.targets.all():
        findings = compliance_for_payload(
            target_payload(target, post=post),
            platform=target.account.platform,
            media_infos=[m.info() for m in _target_media(target)],
            banned_words=banned_words,
        )
        results.append(
            {
                "target": target.pk,
                "account": target.account_id,
                "handle": target.account.handle,
                "platform": target.account.platform,
                "findings": findings,
            }
        )
    return results


def _located(result: dict, finding) -> str:
    """A finding's message, saying where it is when that is not the post's text (the first comment)."""
    if finding.field == compliance_engine.FIRST_COMMENT:
        return _("First comment on @%(handle)s: %(message)s") % {
            "handle": result["handle"],
            "message": finding.message,
        }
    if finding.field == compliance_engine.TITLE:
        return _("Title: %(message)s") % {"message": finding.message}
    if finding.field.startswith("articles."):
        return _("%(where)s on @%(handle)s: %(message)s") % {
            "where": " · ".join(article_label(finding.field)),
            "handle": result["handle"],
            "message": finding.message,
        }
    if finding.field.endswith("." + compliance_engine.ALT_TEXT):
        return _("Alt text of media %(number)s on @%(handle)s: %(message)s") % {
            "number": int(finding.field.split(".")[1]) + 1,
            "handle": result["handle"],
            "message": finding.message,
        }
    return str(finding.message)


def compliance_summary(results: list[dict]) -> dict:
    findings = [f for r in results for f in r["findings"]]
    return {
        "blocking": compliance_engine.has_blocking(findings),
        "warnings": sum(1 for f in findings if f.severity == compliance_engine.Severity.WARNING),
        "findings": [{**f.to_dict(), "target": r["target"]} for r in results for f in r["findings"]],
    }


def compliance_check_text(
    *,
    workspace: Workspace,
    text: str,
    platforms: Sequence[str] = (),
    accounts: Sequence = (),
    media: Sequence = (),
    is_paid_or_kol: bool = False,
    options: dict | None = None,
    first_comment: str = "",
) -> tuple[list, list[str]]:
    """The composer's live check: (findings for `text` on these platforms and these accounts' ones, the
    platforms checked). With a `first_comment`, its findings follow, for the platforms that post one
    (their `field` is "first_comment", their spans offsets into it)."""
    platforms = list(platforms)
    account_ids = _ids(accounts, field="accounts")
    for account in _fetch(
        SocialAccount, workspace, account_ids, field="accounts", label=_("account")
    ).values():
        platforms.append(account.platform)
    media_ids = _ids(media, field="media")
    assets = _fetch(MediaAsset, workspace, media_ids, field="media", label=_("media"))
    platforms = list(dict.fromkeys(platforms))
    banned_words = workspace_banned_words(workspace)
    findings = compliance_engine.check(
        text,
        platforms=platforms,
        media=[assets[i].info() for i in media_ids],
        banned_words=banned_words,
        is_paid_or_kol=is_paid_or_kol,
        options=options,
    )
    commented = [p for p in platforms if takes_first_comment(p)]
    if first_comment and commented:
        findings += compliance_engine.check_first_comment(
            first_comment, platforms=commented, banned_words=banned_words
        )
    return findings, platforms


def compliance_check_live(
    *,
    workspace: Workspace,
    text: str,
    platforms: Sequence[str] = (),
    accounts: Sequence = (),
    targets: Sequence[dict] = (),
    media: Sequence = (),
    is_paid_or_kol: bool = False,
    options: dict | None = None,
) -> dict:
    """The API's live check: {"blocking", "findings", "counts"}. `text` is checked for the `platforms`, the
    `accounts`' and the `targets`' ones; each target ({"account", "first_comment"}) is validated like a
    post's (a first comment where the platform has none is refused on `targets.N.first_comment`) and its
    first comment checked for its platform: those findings have `field` "first_comment", spans into it and
    `target` N (the others `target` None)."""
    resolved = _resolve_targets(workspace, targets) if targets else []
    findings, checked = compliance_check_text(
        workspace=workspace,
        text=text,
        platforms=[*platforms, *(item["account"].platform for item in resolved)],
        accounts=accounts,
        media=media,
        is_paid_or_kol=is_paid_or_kol,
        options=options,
    )
    rows = [{**f.to_dict(), "target": None} for f in findings]
    banned_words = workspace_banned_words(workspace) if any(i["first_comment"] for i in resolved) else []
    for index, item in enumerate(resolved):
        if not item["first_comment"]:
            continue
        in_comment = compliance_engine.check_first_comment(
            item["first_comment"], platforms=[item["account"].platform], banned_words=banned_words
        )
        findings += in_comment
        rows += [{**f.to_dict(), "target": index} for f in in_comment]
    return {
        "blocking": compliance_engine.has_blocking(findings),
        "findings": rows,
        "counts": text_counts(text, checked),
    }


def text_counts(text: str, platforms: Sequence[str], *, first_comment: bool = False) -> dict[str, dict]:
    """{platform: {"count", "limit", "unit"}}: the text's length by each platform's own rule (X's weighted
    characters, Bluesky's graphemes...), for the composer's live counters. No connector: plain length.
    With `first_comment`, the limit is the first comment's (`capabilities.comment_limit`: Facebook's
    comments have their own)."""
    from ..compliance.platforms import connector_instance, registered_connectors

    connectors = registered_connectors()
    counts = {}
    for platform in dict.fromkeys(platforms):
        cls = connectors.get(platform)
        if cls is None:
            counts[platform] = {"count": len(text), "limit": None, "unit": "characters"}
            continue
        counts[platform] = {
            "count": connector_instance(cls, platform).count_text(text),
            "limit": cls.capabilities.comment_limit if first_comment else cls.capabilities.text_limit,
            "unit": cls.capabilities.text_unit,
        }
    return counts


def _refresh_compliance(post: Post, *, banned_words=None, loaded: Post | None = None) -> dict:
    full = loaded if loaded is not None else _load(post)
    summary = compliance_summary(compliance_for_post(full, banned_words=banned_words))
    Post.objects.filter(pk=post.pk).update(compliance=summary)
    post.compliance = summary
    return summary
