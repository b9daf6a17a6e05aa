"""`kasbah diff` follows name aliases: a resource renamed with ``pulumi.Alias(name=old)`` is the same
resource changed in place (as Pulumi treats it), not a delete and a create. The Azure policy
assignments renamed when the library became data rely on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
from pulumi_azure_native import authorization

from kasbah.diff import diff_previews
from kasbah.engine import preview_program

SCOPE = "/providers/Microsoft.Management/managementGroups/kbh"


def program(logical: str, aliased: bool, description: str) -> Callable[[], None]:
    def run() -> None:
        authorization.PolicyAssignment(
            logical,
            scope=SCOPE,
            policy_assignment_name="kbh-allowed-locs",
            description=description,
            opts=pulumi.ResourceOptions(
                aliases=[pulumi.Alias(name="policy-assign-allowed-locations")] if aliased else []
            ),
        )

    return run


def preview_json(fn: Callable[[], None]) -> dict[str, Any]:
    return preview_program(
        fn, config={"azure-native:location": "francecentral"}, project="t", stack="dev"
    ).to_json()


def test_aliased_rename_is_an_in_place_change() -> None:
    base = preview_json(program("policy-assign-allowed-locations", False, "old"))
    head = preview_json(program("policy-assign-root-kbh-allowed-locs", True, "new"))
    d = diff_previews(base, head, "main")
    assert not d.added and not d.removed and not d.renamed, (d.added, d.removed, d.renamed)
    (change,) = d.changed
    assert change.urn.endswith("::policy-assign-root-kbh-allowed-locs")
    assert any(c.path == "description" and c.old == "old" and c.new == "new" for c in change.properties), (
        change
    )


def test_unaliased_rename_is_a_delete_and_a_create() -> None:
    base = preview_json(program("policy-assign-allowed-locations", False, "old"))
    head = preview_json(program("policy-assign-root-kbh-allowed-locs", False, "old"))
    d = diff_previews(base, head, "main")
    assert len(d.added) == 1 and len(d.removed) == 1 and not d.changed
