"""SimClient: the Python side of the /_sim control API, for tests, the demo and benchmarks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx


@dataclass(frozen=True)
class SimAccount:
    platform: str
    external_id: str
    handle: str
    access_token: str
    refresh_token: str
    expires_at: datetime
    refresh_expires_at: datetime
    app_id: str = ""  # WeChat: appid / secret for cgi-bin/token
    app_secret: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


class SimClient:
    def __init__(self, base_url: str, timeout: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=f"{self.base_url}/_sim", timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def url(self, platform: str) -> str:
        """Base URL of one simulated platform (what settings.PLATFORMS[platform]["base_url"] points at)."""
        return f"{self.base_url}/{platform}"

    def _call(self, method: str, path: str, **kwargs) -> Any:
        response = self._http.request(method, path, **kwargs)
        response.raise_for_status()
        return response.json()

    # --- world ---
    def health(self) -> dict[str, Any]:
        return self._call("GET", "/health")

    def reset(self) -> None:
        self._call("POST", "/reset")

    def create_account(
        self,
        platform: str,
        *,
        handle: str = "",
        external_id: str = "",
        access_ttl: float | None = None,
        refresh_ttl: float | None = None,
        followers: int = 0,
        options: dict[str, Any] | None = None,
        created_at: float | None = None,
    ) -> SimAccount:
        body: dict[str, Any] = {"platform": platform, "handle": handle, "external_id": external_id}
        if created_at is not None:
            body["created_at"] = created_at
        body["followers"] = followers
        if access_ttl is not None:
            body["access_ttl"] = access_ttl
        if refresh_ttl is not None:
            body["refresh_ttl"] = refresh_ttl
        if options:
            body["options"] = options
        data = self._call("POST", "/accounts", json=body)
        return SimAccount(
            platform=data["platform"],
            external_id=data["external_id"],
            handle=data["handle"],
            access_token=data["access_token"],
            refresh_token=data["refresh_token"],
            expires_at=datetime.fromtimestamp(data["expires_at"], UTC),
            refresh_expires_at=datetime.fromtimestamp(data["refresh_expires_at"], UTC),
            app_id=data.get("app_id", ""),
            app_secret=data.get("app_secret", ""),
            raw=data,
        )

    def accounts(self, platform: str = "") -> list[dict[str, Any]]:
        return self._call("GET", "/accounts", params={"platform": platform})["accounts"]

    def set_options(self, platform: str, external_id: str, **options: Any) -> dict[str, Any]:
        return self._call("POST", f"/accounts/{platform}/{external_id}/options", json=options)

    def authorize(
        self,
        platform: str,
        external_id: str,
        *,
        redirect_uri: str = "",
        client_id: str = "",
        code_challenge: str = "",
        code_challenge_method: str = "",
        scope: str = "",
        ttl: float | None = None,
    ) -> str:
        """An authorization code for the account, as if its owner clicked "Authorize"."""
        body = {
            "platform": platform,
            "external_id": external_id,
            "redirect_uri": redirect_uri,
            "client_id": client_id,
            "code_challenge": code_challenge,
            "code_challenge_method": code_challenge_method,
            "scope": scope,
        }
        if ttl is not None:
            body["ttl"] = ttl
        return self._call("POST", "/authorize", json=body)["code"]

    # --- tokens ---
    def expire_token(
        self, *, token: str = "", platform: str = "", external_id: str = "", kind: str = "access"
    ) -> int:
        """Expire one token, or every token of `kind` ("access", "refresh", "all") of an account."""
        body = {"token": token, "platform": platform, "external_id": external_id, "kind": kind}
        return self._call("POST", "/tokens/expire", json=body)["expired"]

    def revoke_token(
        self, *, token: str = "", platform: str = "", external_id: str = "", kind: str = "all"
    ) -> int:
        body = {"token": token, "platform": platform, "external_id": external_id, "kind": kind}
        return self._call("POST", "/tokens/revoke", json=body)["revoked"]

    def tokens(self, platform: str, external_id: str) -> list[dict[str, Any]]:
        return self._call("GET", "/tokens", params={"platform": platform, "external_id": external_id})[
            "tokens"
        ]

    # --- faults ---
    def add_fault(self, kind: str, **match: Any) -> dict[str, Any]:
        """kind: latency, rate_limit, server_error, timeout_before, timeout_after, token_expired,
        token_revoked; body faults html_200, not_json, wrong_shape, missing_field, truncated.
        match/params: platform, account, token, operation, path, count, probability, seed, ms, seconds,
        status, retry_after, scope ("account" or "app", for rate_limit), field (missing_field)."""
        return self._call("POST", "/faults", json={"kind": kind, **match})

    def faults(self) -> list[dict[str, Any]]:
        return self._call("GET", "/faults")["faults"]

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    # --- what happened ---
    def counts(self) -> dict[str, Any]:
        return self._call("GET", "/counts")

    def requests(self, platform: str, operation: str = "", account: str | None = None) -> int:
        return sum(
            row["count"]
            for row in self.counts()["requests"]
            if row["platform"] == platform
            and (not operation or row["operation"] == operation)
            and (account is None or row["account"] == account)
        )

    def posts_created(self, platform: str, account: str) -> int:
        return sum(
            r["count"]
            for r in self.counts()["posts_created"]
            if r["platform"] == platform and r["account"] == account
        )

    def refresh_calls(self, platform: str, account: str) -> int:
        return sum(
            r["count"]
            for r in self.counts()["refresh_calls"]
            if r["platform"] == platform and r["account"] == account
        )

    def faults_fired(self, platform: str = "", kind: str = "", operation: str = "") -> int:
        return sum(
            r["count"]
            for r in self.counts()["faults_fired"]
            if (not platform or r["platform"] == platform)
            and (not kind or r["kind"] == kind)
            and (not operation or r["operation"] == operation)
        )

    def log(
        self, platform: str = "", operation: str = "", account: str | None = None, fault: str = ""
    ) -> list[dict[str, Any]]:
        """Every request the simulator answered, oldest first: arrived/answered (epoch seconds), platform,
        operation, account, body (a fingerprint: a repeated request has the same one), status, fault,
        retry_after and scope (for an injected 429)."""
        params = {"platform": platform, "operation": operation, "fault": fault}
        if account is not None:
            params["account"] = account
        return self._call("GET", "/log", params=params)["log"]

    def set_post(self, platform: str, post_id: str, *, created_at: float) -> dict[str, Any]:
        """Backdate a post, so that its simulated metrics have grown (see platform_sim.metrics)."""
        return self._call("POST", f"/posts/{platform}/{post_id}", json={"created_at": created_at})

    def previews(self) -> list[dict[str, Any]]:
        return self._call("GET", "/previews")["previews"]

    def set_profile(self, platform: str, external_id: str, **changes: Any) -> dict[str, Any]:
        """Rename an account (`handle`, `display_name`) or make it private (`private=True`)."""
        return self._call("POST", f"/accounts/{platform}/{external_id}/profile", json=changes)

    def seed_post(
        self,
        platform: str,
        external_id: str,
        *,
        text: str,
        created_at: float | None = None,
        kind: str = "text",
        post_id: str = "",
        boost: float | None = None,
    ) -> dict[str, Any]:
        """A post the account made on its own (a competitor's post), optionally backdated and with its id;
        `boost` multiplies its figures (a viral post)."""
        body: dict[str, Any] = {"text": text, "kind": kind}
        if boost is not None:
            body["boost"] = boost
        if post_id:
            body["id"] = post_id
        if created_at is not None:
            body["created_at"] = created_at
        return self._call("POST", f"/accounts/{platform}/{external_id}/posts", json=body)

    def delete_post(self, platform: str, post_id: str) -> dict[str, Any]:
        """The platform's author deleted the post."""
        return self._call("DELETE", f"/posts/{platform}/{post_id}")

    def posts(
        self, platform: str = "", account: str = "", include_deleted: bool = False
    ) -> list[dict[str, Any]]:
        params = {"platform": platform, "account": account, "include_deleted": "1" if include_deleted else ""}
        return self._call("GET", "/posts", params=params)["posts"]

    # --- fans (inbox) ---
    def fan_writes(
        self, platform: str, account: str, *, kind: str, text: str, author_id: str, **fields: Any
    ) -> dict[str, Any]:
        """A fan comments, replies, mentions or sends a DM to `account` (fields: author_handle,
        author_name, author_followers, post_id, parent_id). Returns the message with its id."""
        body = {"platform": platform, "account": account, "kind": kind, "text": text, "author_id": author_id}
        return self._call("POST", "/fan-messages", json={**body, **fields})

    def fan_edits(self, platform: str, message_id: str, text: str) -> dict[str, Any]:
        return self._call("PATCH", f"/fan-messages/{platform}/{message_id}", json={"text": text})

    def fan_deletes(self, platform: str, message_id: str) -> dict[str, Any]:
        return self._call("DELETE", f"/fan-messages/{platform}/{message_id}")

    def fan_messages(self, platform: str, account: str) -> list[dict[str, Any]]:
        """Everything to and from `account`, newest first, deleted included (our replies too)."""
        return self._call("GET", "/fan-messages", params={"platform": platform, "account": account})[
            "messages"
        ]
