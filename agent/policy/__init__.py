"""Policy files: schema, loader and the errors they report."""

from agent.policy.errors import PolicyError, PolicyErrors
from agent.policy.loader import load_policies, load_policy_text
from agent.policy.schema import Policy

__all__ = ["Policy", "PolicyError", "PolicyErrors", "load_policies", "load_policy_text"]
