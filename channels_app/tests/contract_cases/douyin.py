from channels_app.connectors.base import PostPayload

from . import ContractCase, mp4, png

CASE = ContractCase(
    platform="douyin",
    # Douyin needs media: the minimal post is a short video with a caption.
    minimal_post=lambda n: PostPayload(text=f"周末探店 第{n}集 #探店", media=(mp4(),)),
    image_post=lambda n: PostPayload(text=f"图文笔记 {n}", media=(png("a.png"), png("b.png"))),
    invalid_post=(PostPayload(text="只有文字"), "douyin.media_required"),
)
