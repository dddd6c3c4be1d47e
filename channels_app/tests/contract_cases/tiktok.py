from channels_app.connectors.base import MediaItem, PostPayload

from . import ContractCase


def clip(n: int) -> MediaItem:
    return MediaItem(
        kind="video",
        filename=f"clip-{n}.mp4",
        content_type="video/mp4",
        size=12_000_000,
        url=f"https://media.kawo.example/clips/{n}.mp4",  # PULL_FROM_URL from a verified domain
    )


CASE = ContractCase(
    platform="tiktok",
    deletes=False,  # TikTok has no API to delete a published video
    minimal_post=lambda n: PostPayload(text=f"Unboxing {n} #kawo", media=(clip(n),)),
    image_post=None,
    invalid_post=(PostPayload(text="no video here"), "tiktok.media_required"),
    sim_options={"verified_domains": ["https://media.kawo.example/"]},
)
