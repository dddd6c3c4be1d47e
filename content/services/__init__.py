"""Writes for content: posts and their targets, versions, scheduling, media, campaigns, tags, banned words,
posting slots and iCal feeds.

Every function here is keyword-only, takes `actor=`, runs in one transaction and writes the audit log.
Related ids in input (accounts, media, campaigns, tags, owners) are always looked up inside the post's
workspace: another workspace's id is a 400 naming the field, and nothing is created. Target statuses
move only through content.models.check_transition.

Split by noun (lookups, versions, compliance, posts, media, library, ical); callers import from here.
"""

from ..payload import canonical_hash, publishable, target_fingerprints, target_payload  # noqa: F401
from .compliance import (  # noqa: F401
    _located,
    _refresh_compliance,
    compliance_check_live,
    compliance_check_text,
    compliance_for_payload,
    compliance_for_post,
    compliance_summary,
    text_counts,
    workspace_banned_words,
)
from .ical import (  # noqa: F401
    ical_feed_create,
    ical_feed_revoke,
    ical_secret_hash,
)
from .library import (  # noqa: F401
    _check_dates,
    _owner,
    _unique,
    banned_word_create,
    banned_word_delete,
    banned_word_update,
    campaign_create,
    campaign_delete,
    campaign_update,
    posting_slot_create,
    posting_slot_delete,
    tag_create,
    tag_delete,
    tag_group_create,
    tag_group_delete,
    tag_group_update,
    tag_update,
)
from .lookups import (  # noqa: F401
    QUEUE_SEARCH_DAYS,
    UNSET,
    S,
    _aware,
    _campaign,
    _fetch,
    _ids,
    _resolve_targets,
    _tags,
    check_tag_rules,
    takes_first_comment,
)
from .media import (  # noqa: F401
    THUMBNAIL_SIZE,
    _checksum,
    _thumbnail,
    media_delete,
    media_update,
    media_upload,
)
from .posts import (  # noqa: F401
    _BLOCKING,
    _RESULT_FIELDS,
    _blocking_override_rules,
    _check_result_fields,
    _check_time,
    _move,
    _refuse_for_state,
    _refuse_locked,
    _summary,
    _write_media,
    _write_targets,
    next_free_slot,
    post_add_to_queue,
    post_blocking_override,
    post_compliance_override,
    post_create,
    post_delete,
    post_duplicate,
    post_lock,
    post_lock_for_target,
    post_reschedule,
    post_schedule,
    post_target_move,
    post_targets_move_locked,
    post_unschedule,
    post_update,
)
from .versions import (  # noqa: F401
    _load,
    _lock,
    _record_version,
    _target_media,
    snapshot,
)
