"""For tests of what the platform (the simulator, Bluesky's own PDS) refuses by itself: a connector's
`publish` refuses content over the platform's limits before sending it (connectors.limits), so such a
test sends through the call the limit check wraps, as a connector without the check would."""

from __future__ import annotations

from channels_app.connectors.base import Connector, Credentials, PostPayload, PublishResult


def publish_unchecked(connector: Connector, credentials: Credentials, payload: PostPayload) -> PublishResult:
    publish = type(connector).publish
    assert getattr(publish, "checks_limits", False), "publish is expected to check the limits first"
    return publish.__wrapped__(connector, credentials, payload)
