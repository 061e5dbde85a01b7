"""The adapter's small types: markers and labels as Confluence will take them."""

from __future__ import annotations

import pytest

from agent.adapters.confluence_port import PageMarker, normalise_labels


def test_marker_labels_are_agent_kind_and_project_in_lowercase() -> None:
    marker = PageMarker(kind="Incident_Summary", key="page@1", issue="DS-123")
    assert marker.project == "DS"
    assert marker.labels() == ["escalation-agent", "incident_summary", "ds"]
    assert PageMarker(kind="weekly_digest", key="w@1").labels() == [
        "escalation-agent",
        "weekly_digest",
    ]


def test_marker_round_trips_and_foreign_values_are_not_markers() -> None:
    marker = PageMarker(kind="post_mortem", key="k", issue="OPS-7")
    assert PageMarker.from_json(marker.to_json()) == marker
    assert PageMarker.from_json({"kind": "x", "key": "k", "issue": 5}) == PageMarker("x", "k")
    for value in ("text", ["a"], {"kind": "x"}, {"key": "k", "kind": 3}, None):
        assert PageMarker.from_json(value) is None


def test_labels_are_normalised_and_refused_when_confluence_would_refuse_them() -> None:
    assert normalise_labels(["Weekly  Digest", "DS", "ds", "post_mortem"]) == [
        "weekly-digest",
        "ds",
        "post_mortem",
    ]
    for bad in ("", "   ", "a:b", "what?", "x" * 256):
        with pytest.raises(ValueError, match="cannot use"):
            normalise_labels([bad])
