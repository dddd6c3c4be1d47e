from channels_app.connectors.base import PostPayload

from . import ContractCase, mp4, png

CASE = ContractCase(
    platform="weibo",
    minimal_post=lambda n: PostPayload(text=f"新品发布 {n} https://kawo.example/p/{n}"),
    image_post=lambda n: PostPayload(text=f"看图 {n} https://kawo.example/i/{n}", media=(png(),)),
    invalid_post=(PostPayload(text="没有链接的文字", media=(mp4(),)), "weibo.media_kind"),
    sim_options={"safe_domain": "kawo.example"},
    app={"safe_domain": "kawo.example"},
)
