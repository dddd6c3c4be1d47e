from channels_app.connectors.base import PostPayload

from . import ContractCase, png

CASE = ContractCase(
    platform="wechat_oa",
    connect="credentials",
    credential_fields=lambda account: {"appid": account.app_id, "secret": account.app_secret},
    # An article needs a title, body and a cover image: that is the minimal valid post.
    minimal_post=lambda n: PostPayload(title=f"新品速递 {n}", text=f"春季新品第{n}期上线。", media=(png(),)),
    image_post=lambda n: PostPayload(title=f"图文 {n}", text=f"看图第{n}期。", media=(png("cover2.png"),)),
    invalid_post=(PostPayload(title="", text="没有标题也没有封面"), "wechat_oa.media_required"),
    text_of=lambda payload: payload.text,
)
