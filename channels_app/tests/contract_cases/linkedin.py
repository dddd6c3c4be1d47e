from channels_app.connectors.base import PostPayload

from . import ContractCase, png

CASE = ContractCase(
    platform="linkedin",
    # parentheses and # are reserved in LinkedIn's little-text format: the connector must escape them
    minimal_post=lambda n: PostPayload(text=f"We are hiring (Shanghai, role {n}) #careers"),
    image_post=lambda n: PostPayload(text=f"Team offsite {n}", media=(png(),)),
    invalid_post=(PostPayload(text="x" * 3001), "linkedin.text_length"),
)
