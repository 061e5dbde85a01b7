"""The rate limit of every Web API method the sandbox serves, as Slack documents it.

Slack limits each method per app per workspace, in tiers
(https://docs.slack.dev/apis/web-api/rate-limits): Tier 1 "1+ per minute",
Tier 2 "20+ per minute", Tier 3 "50+ per minute", Tier 4 "100+ per minute",
and a "special" tier with its own conditions. The sandbox takes the lower
bound of each ("20+" is 20) as a strict limit: at most that many calls in any
minute. Each method's tier is the "Rate limits" fact of its reference page,
https://docs.slack.dev/reference/methods/<method> (the same table is in
Slack's own Java SDK, ``MethodsRateLimits``).

``chat.postMessage`` is special: "generally allows posting one message per
second per channel ... limiting posting to several hundred messages per minute"
for the workspace (https://docs.slack.dev/reference/methods/chat.postMessage,
"Rate limiting"); the per-channel part is :class:`ChannelPostLimit` in
:mod:`agent.sandbox.slack.ratelimit`, the workspace part is here ("several
hundred" read as 300). ``auth.test`` is special too: "hundreds of requests per
minute" (read as 200).

Not modelled: since 2025-05-29 Slack limits ``conversations.history`` and
``conversations.replies`` to one call a minute (15 messages a page) for new
*commercially distributed* apps outside the Marketplace
(https://docs.slack.dev/changelog/2025/05/29/rate-limit-changes-for-non-marketplace-apps);
the agent is an internal, customer-built app, which keeps Tier 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Tier(Enum):
    """A documented tier and the calls a minute the sandbox allows in it."""

    TIER_1 = ("Tier 1", 1)
    TIER_2 = ("Tier 2", 20)
    TIER_3 = ("Tier 3", 50)
    TIER_4 = ("Tier 4", 100)
    SPECIAL_POSTING = ("Special: one post a second per channel, several hundred a minute", 300)
    SPECIAL_AUTH = ("Special: hundreds a minute", 200)

    @property
    def label(self) -> str:
        return self.value[0]

    @property
    def per_minute(self) -> int:
        return self.value[1]


@dataclass(frozen=True)
class MethodLimit:
    method: str
    tier: Tier

    @property
    def source(self) -> str:
        return f"https://docs.slack.dev/reference/methods/{self.method}"


_TIERS: dict[str, Tier] = {
    "auth.test": Tier.SPECIAL_AUTH,
    "chat.postEphemeral": Tier.TIER_4,
    "chat.postMessage": Tier.SPECIAL_POSTING,
    "chat.update": Tier.TIER_3,
    "conversations.archive": Tier.TIER_2,
    "conversations.create": Tier.TIER_2,
    "conversations.history": Tier.TIER_3,
    "conversations.info": Tier.TIER_3,
    "conversations.invite": Tier.TIER_3,
    "conversations.join": Tier.TIER_3,
    "conversations.list": Tier.TIER_2,
    "conversations.members": Tier.TIER_4,
    "conversations.open": Tier.TIER_3,
    "conversations.replies": Tier.TIER_3,
    "conversations.setPurpose": Tier.TIER_2,
    "conversations.setTopic": Tier.TIER_2,
    "conversations.unarchive": Tier.TIER_2,
    "pins.add": Tier.TIER_2,
    "pins.list": Tier.TIER_2,
    "pins.remove": Tier.TIER_2,
    "usergroups.list": Tier.TIER_2,
    "usergroups.users.list": Tier.TIER_2,
    "users.info": Tier.TIER_4,
    "users.list": Tier.TIER_2,
    "users.lookupByEmail": Tier.TIER_3,
}

METHOD_LIMITS: dict[str, MethodLimit] = {
    method: MethodLimit(method, tier) for method, tier in _TIERS.items()
}
WINDOW_SECONDS = 60.0  # every tier counts calls per minute
