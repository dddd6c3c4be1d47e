from channels_app.connectors.base import MediaItem, PostPayload

from . import ContractCase


def jpeg(n: int, alt: str = "") -> MediaItem:
    # Instagram pulls media from a public URL (Meta downloads it); the simulator "fetches" .jpg URLs.
    return MediaItem(
        kind="image",
        filename=f"look-{n}.jpg",
        content_type="image/jpeg",
        size=180_000,
        url=f"https://cdn.kawo.example/looks/{n}.jpg",
        alt_text=alt,
    )


CASE = ContractCase(
    platform="instagram",
    minimal_post=lambda n: PostPayload(text=f"Look {n} #kawo #spring", media=(jpeg(n),)),
    image_post=lambda n: PostPayload(text=f"Detail {n}", media=(jpeg(n, alt="a red dress on a chair"),)),
    invalid_post=(PostPayload(text="words only #kawo"), "instagram.media_required"),
)
