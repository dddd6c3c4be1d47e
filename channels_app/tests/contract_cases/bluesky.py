from dataclasses import replace

from channels_app.connectors.base import PostPayload

from . import ContractCase, mp4, png

APP_PASSWORD = "abcd-efgh-ijkl-mnop"

CASE = ContractCase(
    platform="bluesky",
    connect="credentials",
    credential_fields=lambda account: {"identifier": account.handle, "password": APP_PASSWORD},
    sim_options={"app_password": APP_PASSWORD},
    minimal_post=lambda n: PostPayload(text=f"Launch day {n} 🚀 https://kawo.example/p/{n} #kawo"),
    image_post=lambda n: PostPayload(text=f"New in store {n}", media=(replace(png(), alt_text="a red dot"),)),
    invalid_post=(PostPayload(text="clip", media=(mp4(),)), "bluesky.media_kind"),
)
