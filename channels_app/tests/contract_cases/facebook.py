from channels_app.connectors.base import PostPayload

from . import ContractCase, mp4, png

CASE = ContractCase(
    platform="facebook",
    minimal_post=lambda n: PostPayload(
        text=f"Spring collection {n} is here", link=f"https://kawo.example/p/{n}"
    ),
    image_post=lambda n: PostPayload(text=f"Behind the scenes {n}", media=(png(),)),
    invalid_post=(PostPayload(text="a clip", media=(mp4(),)), "facebook.media_kind"),
)
