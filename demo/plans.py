"""Every brand workspace's content plan, by slug (demo.content_plan has the types)."""

from __future__ import annotations

from .plan_china import CHINA
from .plan_global import GLOBAL

PLANS = {plan.slug: plan for plan in (CHINA, GLOBAL)}
