from channels_app.connectors.base import PostPayload

from . import ContractCase, mp4, png

CASE = ContractCase(
    platform="youtube",
    pkce=True,  # Google accepts PKCE on the web flow too
    minimal_post=lambda n: PostPayload(
        text=f"How we pack orders, part {n}", title=f"Packing {n}", media=(mp4(),)
    ),
    image_post=None,
    invalid_post=(PostPayload(text="a picture", title="Pic", media=(png(),)), "youtube.media_required"),
)
