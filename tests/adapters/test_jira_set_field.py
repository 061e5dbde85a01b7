"""``JiraAdapter.set_field`` against the sandbox, on Cloud and on Data Center.

The field is named as people see it; the adapter finds its id in the field
catalogue and shapes the value by the field's schema type, and the sandbox
stores it only when the shape is the one Jira accepts.
"""

from __future__ import annotations

from typing import Any

import pytest

from agent.adapters.jira_fields import FieldCatalogue
from agent.adapters.jira_port import FieldInfo, UnknownFieldError
from agent.adapters.jira_write import field_value_json
from agent.adapters.service_errors import BadRequest
from agent.core.model import Person
from agent.runtime.ports import FieldSetter
from agent.sandbox.jira import seeding
from tests.adapters.test_jira_adapter_sandbox import LEAD, START, adapter_for, issue, user
from tests.support.sandbox import SandboxHandle


@pytest.fixture(params=["cloud", "datacenter"])
def site(request: pytest.FixtureRequest) -> SandboxHandle:
    handle: SandboxHandle = request.getfixturevalue(
        "sandbox" if request.param == "cloud" else "sandbox_dc"
    )
    handle.set_clock(START)
    ctx = handle.ctx
    seeding.create_project(ctx, "DS", "DS escalations", LEAD)
    seeding.create_custom_field(ctx, "Escalation Sev", "select", ["Sev1", "Sev2"])
    seeding.create_custom_field(ctx, "Crew Lead", "userpicker")
    seeding.create_custom_field(ctx, "Escalation Reason", "textarea")
    seeding.create_custom_field(ctx, "Affected Users", "float")
    seeding.create_custom_field(ctx, "Responders", "multiuserpicker")
    return handle


def stored(site: SandboxHandle, key: str, name: str) -> Any:
    return seeding.get_issue(site.ctx, key)["fields"].get(seeding.field_id_by_name(site.ctx, name))


def edits(site: SandboxHandle, key: str) -> list[dict[str, Any]]:
    return [
        r
        for r in site.requests_log()
        if r["method"] == "PUT" and r["path"] == f"/rest/api/2/issue/{key}"
    ]


def test_a_select_field_is_set_by_its_display_name(site: SandboxHandle) -> None:
    key = issue(site, "upgrade me", **{"Escalation Sev": {"value": "Sev2"}})
    adapter = adapter_for(site)
    assert isinstance(adapter, FieldSetter)  # what the runtime's set_field handler checks

    adapter.set_field(key, "Escalation Sev", "Sev1")

    (ticket,) = adapter.search(f"key = {key}", ["Escalation Sev"])
    assert ticket.fields["Escalation Sev"] == "Sev1"
    adapter.set_field(key, "escalation sev", "Sev1")  # names are case-insensitive; repeat is fine
    assert [r["status"] for r in edits(site, key)] == [204, 204]
    (again,) = adapter.search(f"key = {key}", ["Escalation Sev"])
    assert again.fields["Escalation Sev"] == "Sev1"


def test_user_text_number_and_multi_user_fields(site: SandboxHandle) -> None:
    mia, ben = user(site, "Mia Lead"), user(site, "Ben Helper")
    datacenter = site.ctx.deployment == "datacenter"
    mia_ref = mia["name"] if datacenter else mia["accountId"]
    ben_ref = ben["name"] if datacenter else ben["accountId"]
    key = issue(site, "fields")
    adapter = adapter_for(site)

    adapter.set_field(key, "Crew Lead", mia_ref)
    adapter.set_field(key, "Escalation Reason", "Top customer blocked")
    adapter.set_field(key, "Affected Users", "250")
    adapter.set_field(key, "Responders", [mia_ref, Person(ben_ref, "Ben Helper")])

    assert stored(site, key, "Crew Lead") == mia["accountId"]
    assert stored(site, key, "Escalation Reason") == "Top customer blocked"
    assert stored(site, key, "Affected Users") == 250.0
    assert stored(site, key, "Responders") == [mia["accountId"], ben["accountId"]]

    adapter.set_field(key, "Escalation Reason", None)  # None clears the field
    assert stored(site, key, "Escalation Reason") is None


def test_unknown_field_and_rejected_value_fail_clearly(site: SandboxHandle) -> None:
    key = issue(site, "bad writes")
    adapter = adapter_for(site)

    with pytest.raises(UnknownFieldError, match="Escalation Sev'") as unknown:
        adapter.set_field(key, "Escalation Sevv", "Sev1")
    assert "Escalation Sev" in unknown.value.missing["Escalation Sevv"]

    with pytest.raises(BadRequest, match="Option value 'Sev9' is not valid"):
        adapter.set_field(key, "Escalation Sev", "Sev9")
    with pytest.raises(ValueError, match=r"'Affected Users' .* takes a number, not 'many'"):
        adapter.set_field(key, "Affected Users", "many")
    assert [r["status"] for r in edits(site, key)] == [400]  # the number was never sent
    assert stored(site, key, "Escalation Sev") is None


def _field(schema: dict[str, Any], name: str = "F") -> FieldInfo:
    raw = {"id": "customfield_1", "name": name, "custom": True, "schema": schema}
    return FieldCatalogue.from_json([raw]).resolve(name)


def test_values_are_shaped_by_the_schema_type() -> None:
    select = _field({"type": "option"})
    assert field_value_json(select, "Sev1") == {"value": "Sev1"}  # Jira rejects a bare string
    user_field = _field({"type": "user"})
    assert field_value_json(user_field, "acc-1") == {"accountId": "acc-1"}
    assert field_value_json(user_field, "jdoe", datacenter=True) == {"name": "jdoe"}
    options = _field({"type": "array", "items": "option"})
    assert field_value_json(options, ("A", "B")) == [{"value": "A"}, {"value": "B"}]
    assert field_value_json(options, "A") == [{"value": "A"}]
    assert field_value_json(_field({"type": "priority"}), "Highest") == {"name": "Highest"}
    assert field_value_json(_field({"type": "number"}), 3) == 3.0
    with pytest.raises(ValueError, match="takes a number, not True"):
        field_value_json(_field({"type": "number"}), True)
    with pytest.raises(ValueError, match="does not write fields of type 'any'"):
        field_value_json(_field({"type": "any"}, "Odd"), "x")
