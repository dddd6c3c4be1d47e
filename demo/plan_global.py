"""The demo's content plan for Lumière Global (types and flows: demo.content_plan)."""

from __future__ import annotations

from .content_plan import Campaign, DemoPost, WorkspacePlan, _images

# --- Lumière Global (Europe/Paris, global platforms, English copy) ------------------------------------

GLOBAL = WorkspacePlan(
    slug="global",
    people={"editor": "owner@demo.kawo.test", "manager": "owner@demo.kawo.test"},
    pillar_group="Content pillar",
    pillars=(
        ("Product", "#b4533a"),
        ("Brand story", "#44403c"),
        ("Promotion", "#c2410c"),
        ("UGC", "#0f766e"),
    ),
    product_group="Product line",
    products=(("Radiance Serum", "#f59e0b"), ("Rose Repair Cream", "#db2777"), ("UV Fluid", "#0284c7")),
    campaigns={
        "launch": Campaign(
            "Radiance Serum launch",
            "Launch month: 2M impressions across X, Instagram and Facebook; 1,500 sample requests.",
            "#c2410c",
            month=0,
        ),
        "atelier": Campaign(
            "Paris Atelier Week",
            "Fill 600 atelier visits in Paris and grow the newsletter by 5,000 subscribers.",
            "#7c3aed",
            month=1,
            first_day=12,
            days=7,
        ),
    },
    images=_images(
        {
            "serum": "Radiance Serum bottle, amber glass on a warm gradient",
            "cream": "Rose Repair Cream jar on a pink gradient",
            "atelier": "The Lumière atelier in Paris",
            "sunscreen": "UV Fluid SPF50+ tube",
        }
    ),
    banned_words=(("miracle", "warning", "No miracle claims for cosmetics (ASA CAP Code 12.1)."),),
    posts=(
        DemoPost(
            title="Radiance Serum launch day",
            flow="published",
            window="past",
            at=0.15,
            time="09:00",
            pillar="Product",
            product="Radiance Serum",
            campaign="launch",
            image="serum",
            variants=(
                (
                    "x",
                    "It's here ✨ Lumière Radiance Serum: a featherlight serum with rosehip oil that melts "
                    "in and leaves skin glowing. Two drops, morning and night. https://lumiere.example/serum",
                ),
                (
                    "facebook",
                    "Meet Lumière Radiance Serum. Made in our Paris atelier with rosehip oil, niacinamide "
                    "and hyaluronic acid, it melts in like water and leaves skin soft and luminous. Two "
                    "drops, morning and night. Discover it: https://lumiere.example/serum",
                ),
                (
                    "linkedin",
                    "Today we launch Lumière Radiance Serum, developed over three years by our formulation "
                    "team in Paris. Thank you to the chemists, perfumers and partners who made it. "
                    "https://lumiere.example/serum",
                ),
            ),
        ),
        DemoPost(
            title="Inside our Paris atelier",
            flow="published",
            window="past",
            at=0.4,
            time="12:30",
            pillar="Brand story",
            image="atelier",
            variants=(
                (
                    "linkedin",
                    "Every jar of Lumière starts in a small atelier in the Marais. Our formulation team "
                    "makes each new batch by hand before it goes to production, and our perfumer, Claire, "
                    "smells every rose harvest from Grasse before it is used.\n\nA look inside the people "
                    "and the craft behind our products: https://lumiere.example/atelier",
                ),
                (
                    "facebook",
                    "7 a.m. in the Marais: the lights come on in the Lumière atelier. Follow a day with our "
                    "perfumer Claire, from the first rose of the morning to the last batch of the evening. "
                    "https://lumiere.example/atelier",
                ),
            ),
        ),
        DemoPost(
            title="Community shelfies",
            flow="published",
            window="past",
            at=0.65,
            time="18:00",
            pillar="UGC",
            product="Radiance Serum",
            image="serum",
            variants=(
                (
                    "facebook",
                    "Your shelfies, our favourite kind of post 💛 Thank you Léa, Sam and Hana for sharing "
                    "your routines with us. Tag #MyLumiere to be featured next week.",
                ),
                (
                    "bluesky",
                    "Your shelfies made our week 💛 Thank you for sharing your routines with us. Tag "
                    "#MyLumiere and we'll feature a few next Friday.",
                ),
            ),
        ),
        DemoPost(
            title="Free engraving this weekend",
            flow="published",
            window="past",
            at=0.9,
            time="17:00",
            pillar="Promotion",
            product="Rose Repair Cream",
            variants=(
                (
                    "x",
                    "This weekend only: free engraving on every Rose Repair Cream jar, in store and online. "
                    "A name, a date, a word that matters 🌹 https://lumiere.example/engraving",
                ),
                (
                    "mastodon",
                    "This weekend only: free engraving on every Rose Repair Cream jar, in our Paris atelier "
                    "and online. A name, a date, a word that matters. https://lumiere.example/engraving",
                ),
            ),
        ),
        DemoPost(
            title="Live Q&A with our perfumer",
            flow="soon",
            window="soon",
            at=3,
            pillar="Brand story",
            variants=(
                (
                    "mastodon",
                    "Our perfumer Claire is answering your questions live in a few minutes: roses, rosehip "
                    "oil and how a scent is built. Join us: https://lumiere.example/live",
                ),
                (
                    "bluesky",
                    "Live in a few minutes: our perfumer Claire answers your questions about roses, rosehip "
                    "oil and how a scent is built. https://lumiere.example/live",
                ),
            ),
        ),
        DemoPost(
            title="The five-minute evening routine",
            flow="soon",
            window="soon",
            at=4,
            pillar="Product",
            product="Radiance Serum",
            campaign="launch",
            variants=(
                (
                    "x",
                    "New on the journal: the five-minute evening routine. Cleanse, two drops of Radiance "
                    "Serum, a layer of Rose Repair Cream. That's it 🌙 "
                    "https://lumiere.example/journal/evening",
                ),
                (
                    "facebook",
                    "Short on time tonight? Our five-minute evening routine: cleanse, two drops of Radiance "
                    "Serum, then Rose Repair Cream pressed in with warm hands. Read the full routine on our "
                    "journal: https://lumiere.example/journal/evening",
                ),
            ),
        ),
        DemoPost(
            title="How to layer Radiance Serum",
            flow="scheduled",
            window="future",
            at=0.1,
            time="09:00",
            pillar="Product",
            product="Radiance Serum",
            campaign="launch",
            image="serum",
            variants=(
                (
                    "x",
                    "How to layer Radiance Serum: after cleansing, before cream. Warm two drops between "
                    "your palms and press them in from the centre of your face outwards. "
                    "https://lumiere.example/howto",
                ),
                (
                    "instagram",
                    "Serum before cream, always. Warm two drops of Radiance Serum between your palms and "
                    "press them in, from the centre of your face outwards ✨ #RadianceSerum #skincaretips",
                ),
            ),
        ),
        DemoPost(
            title="Meet Claire, our perfumer",
            flow="scheduled",
            window="future",
            at=0.3,
            time="12:30",
            pillar="Brand story",
            variants=(
                (
                    "linkedin",
                    "Meet Claire Moreau, Lumière's perfumer for twelve years. Claire trained in Grasse and "
                    "now leads the team that chooses every rose we use. In this interview she talks about "
                    "sourcing, seasons, and why a good scent should never shout. "
                    "https://lumiere.example/claire",
                ),
                (
                    "facebook",
                    "Meet Claire, the nose behind every Lumière scent. Twelve years, thousands of roses and "
                    "one rule: a good scent should never shout. Read the interview: "
                    "https://lumiere.example/claire",
                ),
            ),
        ),
        DemoPost(
            title="Paris Atelier Week: save the date",
            flow="scheduled",
            window="future",
            at=0.5,
            time="18:00",
            pillar="Promotion",
            campaign="atelier",
            image="atelier",
            variants=(
                (
                    "x",
                    "Save the date: Paris Atelier Week is coming. Seven days of workshops, scent "
                    "consultations and engraving in the Marais. Book a visit: "
                    "https://lumiere.example/atelier-week",
                ),
                (
                    "facebook",
                    "Paris Atelier Week is coming! For seven days our atelier in the Marais opens its "
                    "doors: scent consultations with Claire, skincare workshops and free engraving. Visits "
                    "are free but places are limited: https://lumiere.example/atelier-week",
                ),
                (
                    "mastodon",
                    "Paris Atelier Week is coming: seven days of workshops, scent consultations and "
                    "engraving in our Marais atelier. Free visits, limited places: "
                    "https://lumiere.example/atelier-week",
                ),
            ),
        ),
        DemoPost(
            title="Paid partnership with @camille.skin",
            flow="scheduled",
            window="future",
            at=0.7,
            time="19:00",
            pillar="Promotion",
            product="Radiance Serum",
            campaign="launch",
            image="serum",
            paid=True,
            variants=(
                (
                    "instagram",
                    "#ad Two weeks with Radiance Serum: @camille.skin shares her honest notes on texture, "
                    "absorption and how it sits under make-up. Swipe for her morning routine ✨",
                ),
                (
                    "facebook",
                    "#ad We asked @camille.skin to use Radiance Serum for two weeks and tell us honestly "
                    "how it went. Her notes on texture, absorption and make-up are on our journal: "
                    "https://lumiere.example/journal/camille",
                ),
            ),
        ),
        DemoPost(
            title="Community spotlight",
            flow="scheduled",
            window="future",
            at=0.9,
            time="17:30",
            pillar="UGC",
            variants=(
                (
                    "bluesky",
                    "Community spotlight 💛 This week: Hana's rainy-day routine, with Rose Repair Cream as "
                    "the last step. Share yours with #MyLumiere.",
                ),
                (
                    "mastodon",
                    "Community spotlight: this week Hana shares her rainy-day routine, with Rose Repair "
                    "Cream as the last step. Share yours with #MyLumiere.",
                ),
            ),
        ),
        DemoPost(
            title="Atelier Week lookbook",
            flow="draft",
            window="next",
            at=0.4,
            time="10:00",
            pillar="Promotion",
            campaign="atelier",
            image="atelier",
            variants=(
                (
                    "instagram",
                    "Atelier Week lookbook (draft): seven days, seven rooms, one atelier. Captions to "
                    "follow once the shoot is done. #LumiereParis",
                ),
            ),
        ),
        DemoPost(
            title="We're hiring: formulation chemist",
            flow="draft",
            window="any",
            at=0.55,
            time="11:00",
            pillar="Brand story",
            variants=(
                (
                    "linkedin",
                    "We're hiring a formulation chemist to join our Paris atelier. You'll work on new "
                    "textures with a small team that makes every first batch by hand. "
                    "https://lumiere.example/careers",
                ),
            ),
        ),
        DemoPost(
            title="Thread idea: what rosehip oil does",
            flow="draft",
            window="any",
            at=0.8,
            time="16:00",
            pillar="Product",
            product="Radiance Serum",
            variants=(
                (
                    "x",
                    "What does rosehip oil actually do in a serum? A short thread on where ours comes from, "
                    "why we pair it with niacinamide, and how to use it 🧵",
                ),
            ),
        ),
    ),
)
