from channels_app.connectors.base import PostPayload

from . import ContractCase, png

CASE = ContractCase(
    platform="bilibili",
    # Text alone is a 专栏 article (title + body); the video path has its own test in test_bilibili.py.
    minimal_post=lambda n: PostPayload(title=f"开箱测评 {n}", text=f"这是第{n}篇测评。"),
    image_post=lambda n: PostPayload(title=f"图集 {n}", text=f"第{n}组图片。", media=(png(),)),
    invalid_post=(PostPayload(title="", text="没有标题"), "bilibili.title_required"),
)
