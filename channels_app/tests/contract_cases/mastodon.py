from channels_app.connectors.base import PostPayload

from . import ContractCase, png

CASE = ContractCase(
    platform="mastodon",
    refreshes=False,  # Mastodon tokens never expire; there is no refresh grant
    minimal_post=lambda n: PostPayload(
        text=f"Store opening {n} https://kawo.example/p/{n} #kawo", idempotency_key=f"contract-{n}"
    ),
    image_post=lambda n: PostPayload(text=f"Window display {n}", media=(png(),), idempotency_key=f"img-{n}"),
    invalid_post=(PostPayload(text="x" * 501), "mastodon.text_length"),
)
