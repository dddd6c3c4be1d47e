from channels_app.connectors.base import PostPayload

from . import ContractCase, mp4, png

CASE = ContractCase(
    platform="x",
    pkce=True,
    minimal_post=lambda n: PostPayload(text=f"Launch day {n} 新品 🚀 https://kawo.example/p/{n}"),
    image_post=lambda n: PostPayload(text=f"New in store {n}", media=(png(),)),
    # 141 CJK characters weigh 282: over X's 280 although only 141 characters long
    invalid_post=(PostPayload(text="新" * 141, media=(mp4(),)), "x.weighted_length"),
)
