from channels_app.connectors.base import PostPayload

from . import ContractCase, mp4, png

CASE = ContractCase(
    platform="kuaishou",
    # Kuaishou publishes videos only: the minimal post is a video with a caption; there is no image post.
    minimal_post=lambda n: PostPayload(text=f"老铁们好 第{n}条", media=(mp4(),)),
    image_post=None,
    invalid_post=(PostPayload(text="一张图", media=(png(),)), "kuaishou.media_kind"),
)
