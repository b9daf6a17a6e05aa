"""The policy library kept as data (components/azure/library): its format, sources, archetypes per group,
overrides without forking, and what its rules do on sample resources (tests/azure/policy_eval.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from policy_eval import defaults, denies

from components.azure import policy_library as pl
from components.azure.addressing import NO_NSG_SUBNETS
from components.errors import ConfigError

LIB = pl.LIBRARY_DIR
DEFAULTS: dict[str, Any] = {
    "classification_tag": "data-classification",
    "classification_values": ["public", "internal", "personal", "sensitive"],
    "allowed_locations": ["francecentral", "francesouth", "spaincentral"],
    "log_analytics_workspace_id": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law",
    "security_contact_email": "soc@example.ma",
    "mdfc_export_resource_group_name": "rg-kbh-mdfc-export-frc",
    "mdfc_export_resource_group_location": "francecentral",
    "private_dns_zone_subscription_id": "00000000-0000-0000-0000-000000000001",
    "private_dns_zone_resource_group_name": "rg-kbh-connectivity-frc",
    "private_dns_zone_region": "francecentral",
    "private_dns_zone_resource_group_id": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-kbh-connectivity-frc",
    "ama_data_collection_rule_id": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Insights/dataCollectionRules/dcr",
    "ama_user_assigned_managed_identity_id": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id",
    "tag_excluded_resource_groups": [
        "NetworkWatcherRG",
        "AzureBackupRG*",
        "MC_*",
        "DefaultResourceGroup-*",
        "rg-kbh-*-rp-*",
    ],
}


@pytest.fixture(scope="module")
def lib() -> pl.Library:
    return pl.load_library()


def resolved(
    lib: pl.Library, switches: dict[str, pl.PolicySwitch] | None = None
) -> list[pl.ResolvedAssignment]:
    return pl.resolve_groups(lib, "kbh", switches or {}, DEFAULTS)


def by_key(items: list[pl.ResolvedAssignment]) -> dict[str, pl.ResolvedAssignment]:
    return {a.key: a for a in items}


# --- format and sources -------------------------------------------------------------------------


def test_every_file_is_one_native_item_with_its_source_and_licence() -> None:
    files = sorted(LIB.rglob("*.json"))
    assert len(files) > 40
    for f in files:
        data = json.loads(f.read_text())
        src = data["kasbah_source"]
        assert src["repository"] and src["licence"], f
        if "Azure-Landing-Zones-Library" in src["repository"] or "azure-policy" in src["repository"]:
            assert src["licence"].startswith("MIT") and len(src["commit"]) == 40, f
        kind = f.parent.name
        if kind == "policy_assignments":
            assert data["type"] == "Microsoft.Authorization/policyAssignments", f
            assert f.name == f"{data['name']}.alz_policy_assignment.json", f
            assert len(data["name"]) <= pl.ASSIGNMENT_NAME_MAX, f
        elif kind == "policy_definitions":
            assert f.name == f"{data['name']}.alz_policy_definition.json", f
            assert {"policyRule", "mode", "parameters"} <= set(data["properties"]), f
        elif kind == "policy_set_definitions":
            assert f.name == f"{data['name']}.alz_policy_set_definition.json", f
            assert data["properties"]["policyDefinitions"], f
        elif kind == "role_definitions":
            assert f.name == f"{data['properties']['roleName']}.alz_role_definition.json", f
        elif kind == "archetype_definitions":
            assert f.name == f"{data['name']}.alz_archetype_definition.json", f


def test_every_group_has_an_archetype_and_the_hierarchy_is_alz(lib: pl.Library) -> None:
    assert set(lib.archetypes) == {*pl.ARCHETYPE_OF.values(), pl.SUBSCRIPTION_ARCHETYPE}
    assert pl.ARCHETYPE_OF[pl.Group.LANDING_ZONES] == "landing_zones"
    assert pl.ancestors(pl.Group.CORP) == [pl.Group.CORP, pl.Group.LANDING_ZONES, pl.Group.ROOT]


# --- ALZ parity: default assignments per group -----------------------------------------------------


def test_default_assignments_per_group_follow_alz(lib: pl.Library) -> None:
    a = lib.archetypes
    # Corp guardrails: no public endpoints, private DNS zones registered by DeployIfNotExists.
    assert {"Deny-Public-Endpoints", "Deploy-Private-DNS-Zones", "Deny-HybridNetworking"} <= set(
        a["corp"].policy_assignments
    )
    # Key Vault guardrails where ALZ puts them.
    assert "Enforce-GR-KeyVault" in a["landing_zones"].policy_assignments
    assert "Enforce-GR-KeyVault" in a["platform"].policy_assignments
    # VM backup enrolment: identity (ALZ's built-in), each landing zone into its own vault.
    assert "Deploy-VM-Backup" in a["identity"].policy_assignments
    assert a[pl.SUBSCRIPTION_ARCHETYPE].policy_assignments == ("kbh-vm-backup-lz",)
    # The Moroccan allowed locations at the root, with Azure's built-in definitions (as ALZ assigns them).
    root = by_key(resolved(lib))
    for key, builtin in (
        ("root/kbh-allowed-locs", "e56962a6-4747-49cd-b67b-bf8b01975c4c"),
        ("root/kbh-allowed-locs-rg", "e765b5de-1225-4ba3-bd56-1ac6695af988"),
    ):
        assert root[key].builtin and root[key].target == builtin, key
        assert root[key].parameters["listOfAllowedLocations"] == DEFAULTS["allowed_locations"], key
    # ALZ's monitoring, Defender and activity-log assignments at the root.
    assert {"Deploy-MDFC-Config-H224", "Deploy-AzActivity-Log", "Deploy-Diag-LogsCat"} <= set(
        a["root"].policy_assignments
    )
    # Monitoring agent association wherever machines run (platform and landing zones).
    for arch in ("platform", "landing_zones"):
        assert {"Deploy-VM-Monitoring", "Deploy-VMSS-Monitoring"} <= set(a[arch].policy_assignments), arch


def test_alz_items_are_the_alz_files_with_noted_changes(lib: pl.Library) -> None:
    for kind in ("policy_definitions", "policy_set_definitions", "policy_assignments", "role_definitions"):
        for name, data in getattr(lib, kind).items():
            src = data["kasbah_source"]
            if "Azure-Landing-Zones-Library" in src["repository"]:
                assert src["path"].startswith("platform/alz/"), name
                assert src["changes"], name


def test_custom_roles_are_alz_s_and_the_wildcard_ones_are_not_created(lib: pl.Library) -> None:
    assert set(lib.role_definitions) == {
        "Application-Owners",
        "Network-Management",
        "Network-Subnet-Contributor",
        "Security-Operations",
        "Subscription-Owner",
    }
    created = pl.custom_items(lib)[2]
    assert set(created) == {"Network-Management", "Network-Subnet-Contributor", "Security-Operations"}
    for role in created:
        for perm in lib.role_definitions[role]["properties"]["permissions"]:
            assert "*" not in perm["actions"], role
    for role in ("Application-Owners", "Subscription-Owner"):  # "*": CIS 1.23 / azure-custom-role-no-wildcard
        assert "*" in lib.role_definitions[role]["properties"]["permissions"][0]["actions"], role


# --- defect 4: per-type diagnostics ---------------------------------------------------------------


def test_diagnostics_are_deployed_per_resource_type(lib: pl.Library) -> None:
    diag = by_key(resolved(lib))["root/Deploy-Diag-LogsCat"]
    assert diag.builtin and diag.target_is_set and diag.target == "f5b29bc4-feca-4cc6-a58a-772dd5e290a5"
    assert len(diag.members) > 50
    for m in diag.members:
        assert m.definition.details_type == "microsoft.insights/diagnosticsettings", m.reference_id
        assert len(m.definition.target_types) == 1, f"{m.reference_id} deploys one template to several types"
        # Storage accounts log on their sub-services; NSGs have no metrics: neither is a target here.
        assert m.definition.target_types[0] not in (
            "microsoft.storage/storageaccounts",
            "microsoft.network/networksecuritygroups",
        ), m.reference_id
    # And no library definition deploys one diagnostic template to several types.
    for name in lib.policy_definitions:
        d = lib.definition(name, False)
        if d.details_type == "microsoft.insights/diagnosticsettings":
            assert len(d.target_types) == 1, name


# --- defect 5: the resource-group tag rule ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "denied"),
    [
        ("rg-app1-data", True),
        ("NetworkWatcherRG", False),
        ("AzureBackupRG_francecentral_1", False),
        ("rg-kbh-erp-rp-1", False),
        ("MC_rg-aks_aks1_francecentral", False),
        ("DefaultResourceGroup-PAR", False),
        ("rg-kbh-mdfc-export-frc", True),
    ],
)
def test_tag_rule_spares_only_the_groups_azure_creates_itself(
    lib: pl.Library, name: str, denied: bool
) -> None:
    d = lib.policy_definitions["kbh-require-tag-rg"]["properties"]
    a = by_key(resolved(lib))["root/kbh-require-class-tag"]
    params = defaults(d["parameters"], a.parameters)
    rg = {
        "type": "Microsoft.Resources/subscriptions/resourceGroups",
        "name": name,
        "location": "francecentral",
    }
    assert denies(d["policyRule"], params, rg) is denied, name
    tagged = {**rg, "tags": {"data-classification": "internal"}}
    assert not denies(d["policyRule"], params, tagged), name


# --- defect 7: management ports --------------------------------------------------------------------


def _rule(**props: Any) -> dict[str, Any]:
    base = {"access": "Allow", "direction": "Inbound", "protocol": "Tcp", "destinationAddressPrefix": "*"}
    return {
        "type": "Microsoft.Network/networkSecurityGroups/securityRules",
        "name": "r",
        "properties": {**base, **props},
    }


@pytest.mark.parametrize(
    ("props", "denied"),
    [
        ({"sourceAddressPrefix": "*", "destinationPortRange": "22"}, True),
        ({"sourceAddressPrefix": "Internet", "destinationPortRange": "20-25"}, True),
        ({"sourceAddressPrefix": "0.0.0.0/0", "destinationPortRange": "3000-4000"}, True),
        ({"sourceAddressPrefix": "*", "destinationPortRanges": ["443", "3389"]}, True),
        ({"sourceAddressPrefix": "*", "destinationPortRanges": ["80", "3380-3390"]}, True),
        ({"sourceAddressPrefixes": ["10.0.0.0/8", "0.0.0.0/0"], "destinationPortRange": "22"}, True),
        ({"sourceAddressPrefix": "Internet", "destinationPortRange": "*"}, True),
        ({"sourceAddressPrefix": "Internet", "destinationPortRange": "443"}, False),
        ({"sourceAddressPrefix": "10.0.0.0/8", "destinationPortRange": "22"}, False),
        ({"sourceAddressPrefix": "VirtualNetwork", "destinationPortRanges": ["22", "3389"]}, False),
        ({"sourceAddressPrefix": "Internet", "destinationPortRange": "23-80"}, False),
    ],
)
def test_management_ports_rule_matches_alz(lib: pl.Library, props: dict[str, Any], denied: bool) -> None:
    a = by_key(resolved(lib))["root/kbh-deny-mgmt-ports"]
    d = lib.policy_definitions[a.target]["properties"]
    params = defaults(d["parameters"], a.parameters)
    assert denies(d["policyRule"], params, _rule(**props)) is denied, props
    # The same rule inside an NSG (rules declared inline).
    nsg = {
        "type": "Microsoft.Network/networkSecurityGroups",
        "name": "nsg",
        "properties": {"securityRules": [_rule(**props)]},
    }
    assert denies(d["policyRule"], params, nsg) is denied, props


def test_subnet_rule_excludes_exactly_the_subnets_azure_forbids(lib: pl.Library) -> None:
    d = lib.policy_definitions["Deny-Subnet-Without-Nsg"]["properties"]
    assert sorted(d["parameters"]["excludedSubnets"]["defaultValue"]) == sorted(NO_NSG_SUBNETS)
    params = defaults(d["parameters"], {})
    bare = {"type": "Microsoft.Network/virtualNetworks/subnets", "name": "snet-app", "properties": {}}
    assert denies(d["policyRule"], params, bare)
    assert not denies(d["policyRule"], params, {**bare, "name": "GatewaySubnet"})


# --- defects 6 and 8: Defender for Cloud and the activity log ---------------------------------------


def test_defender_switches_on_every_plan_with_contacts_and_export(lib: pl.Library) -> None:
    mdfc = by_key(resolved(lib))["root/Deploy-MDFC-Config-H224"]
    members = {m.reference_id: m for m in mdfc.members}
    for ref in (
        "defenderForAppServices",
        "defenderForOssDb",
        "defenderForCosmosDbs",
        "defenderForApis",
        "defenderForAI",
        "defenderForVM",
        "defenderForStorageAccountsV2",
        "defenderForKeyVaults",
        "defenderForArm",
        "defenderForSqlPaas",
        "defenderforContainers",
        "defenderForCspm",
        "securityEmailContact",
        "ascExport",
    ):
        assert members[ref].effect == "deployifnotexists", ref
        assert members[ref].definition.targets_subscription, ref
    assert mdfc.parameters["emailSecurityContact"] == "soc@example.ma"
    assert mdfc.parameters["logAnalytics"] == DEFAULTS["log_analytics_workspace_id"]
    # Every subscription-level member gets a remediation task in existing subscriptions.
    remediated = {m.reference_id for m in mdfc.remediation_members()}
    assert {"defenderForAppServices", "defenderForApis", "securityEmailContact", "ascExport"} <= remediated
    assert "defenderforKubernetes" not in remediated  # per cluster: acts when a cluster is created


def test_activity_log_is_assigned_at_the_root_with_the_builtin(lib: pl.Library) -> None:
    a = by_key(resolved(lib))["root/Deploy-AzActivity-Log"]
    assert a.group is pl.Group.ROOT and a.builtin
    assert (
        a.policy_definition_id
        == "/providers/Microsoft.Authorization/policyDefinitions/2465583e-4e78-4c15-b6be-a36cbc7c8b0f"
    )
    assert a.parameters["logAnalytics"] == DEFAULTS["log_analytics_workspace_id"]
    assert a.permission_parameters == ("logAnalytics",)  # roles on the workspace too
    assert [m.definition.name for m in a.remediation_members()] == ["2465583e-4e78-4c15-b6be-a36cbc7c8b0f"]


def test_what_is_remediated_automatically(lib: pl.Library) -> None:
    got = {
        a.key: [m.reference_id or m.definition.name for m in a.remediation_members()] for a in resolved(lib)
    }
    assert got["root/kbh-inherit-class-tag"] == ["ea3f2387-9b95-492a-a190-fcdc54f7b070"]  # Modify
    assert got["root/Deploy-Diag-LogsCat"] == []  # per resource: acts on creates and updates
    assert got["corp/Deploy-Private-DNS-Zones"] == []
    assert got["root/kbh-allowed-locs"] == []  # Deny: nothing to remediate
    off = by_key(resolved(lib, {"Deploy-MDFC-Config-H224": pl.PolicySwitch(remediation=pl.Remediation.NONE)}))
    assert off["root/Deploy-MDFC-Config-H224"].remediation_members() == ()
    every = by_key(resolved(lib, {"Deploy-Diag-LogsCat": pl.PolicySwitch(remediation=pl.Remediation.ALL)}))
    assert len(every["root/Deploy-Diag-LogsCat"].remediation_members()) == len(
        every["root/Deploy-Diag-LogsCat"].members
    )


def test_identities_get_exactly_the_roles_their_definitions_list(lib: pl.Library) -> None:
    for a in resolved(lib):
        wanted = {
            pl.role_guid(r) for m in a.members if m.may_remediate for r in m.definition.role_definition_ids
        }
        assert {pl.role_guid(r) for r in a.role_definition_ids} == wanted, a.key
        assert a.needs_identity == bool(wanted), a.key
    dns = by_key(resolved(lib))["corp/Deploy-Private-DNS-Zones"]
    assert dns.extra_scope_defaults == ("private_dns_zone_resource_group_id",)  # where it writes records


# --- overriding without forking ----------------------------------------------------------------------


def test_per_assignment_overrides(lib: pl.Library) -> None:
    sw = {
        "kbh-deny-pip-corp": pl.PolicySwitch(enforcement=pl.Enforcement.DO_NOT_ENFORCE),
        "kbh-allowed-locs": pl.PolicySwitch(parameters={"listOfAllowedLocations": ["francecentral"]}),
        "platform/Enforce-GR-KeyVault": pl.PolicySwitch(enabled=False),
        "Deploy-VM-Backup": pl.PolicySwitch(
            non_compliance_message="Back it up.", not_scopes=["/subscriptions/x"]
        ),
    }
    got = by_key(resolved(lib, sw))
    assert got["corp/kbh-deny-pip-corp"].enforcement is pl.Enforcement.DO_NOT_ENFORCE
    assert got["root/kbh-allowed-locs"].parameters["listOfAllowedLocations"] == ["francecentral"]
    assert "platform/Enforce-GR-KeyVault" not in got and "landing_zones/Enforce-GR-KeyVault" in got
    assert got["identity/Deploy-VM-Backup"].non_compliance_message == "Back it up."
    assert got["identity/Deploy-VM-Backup"].not_scopes == ("/subscriptions/x",)
    # ALZ's {enforcementMode} placeholder reads "must" when enforced, "should" when not.
    assert "must" in got["root/Deploy-AzActivity-Log"].non_compliance_message


@pytest.mark.parametrize(
    ("switches", "key", "words"),
    [
        (
            {"Deny-Public-Endpoint": pl.PolicySwitch()},
            "kasbah:policies.Deny-Public-Endpoint",
            "Deny-Public-Endpoints",
        ),
        (
            {"defender-plans": pl.PolicySwitch()},
            "kasbah:policies.defender-plans",
            "renamed to 'Deploy-MDFC-Config-H224'",
        ),
        (
            {"kbh-allowed-locs": pl.PolicySwitch(parameters={"listOfAllowedLocation": []})},
            "kasbah:policies.kbh-allowed-locs.parameters.listOfAllowedLocation",
            "listOfAllowedLocations",
        ),
        (
            {"kbh-allowed-locs": pl.PolicySwitch(parameters={"listOfAllowedLocations": "francecentral"})},
            "kasbah:policies.kbh-allowed-locs.parameters.listOfAllowedLocations",
            "type Array",
        ),
        (
            {"kbh-deny-pip-corp": pl.PolicySwitch(parameters={"effect": "Block"})},
            "kasbah:policies.kbh-deny-pip-corp.parameters.effect",
            "one of",
        ),
    ],
)
def test_bad_overrides_fail_in_one_line(
    lib: pl.Library, switches: dict[str, pl.PolicySwitch], key: str, words: str
) -> None:
    with pytest.raises(ConfigError) as err:
        resolved(lib, switches)
    assert err.value.key == key, err.value.key
    assert words in str(err.value) and "\n" not in str(err.value), str(err.value)


def test_a_missing_default_value_names_the_assignment(lib: pl.Library) -> None:
    partial = {k: v for k, v in DEFAULTS.items() if k != "security_contact_email"}
    with pytest.raises(ConfigError) as err:
        pl.resolve_groups(lib, "kbh", {}, partial)
    assert err.value.key == "kasbah:policies.Deploy-MDFC-Config-H224" and "security_contact_email" in str(
        err.value
    )
    off = {"Deploy-MDFC-Config-H224": pl.PolicySwitch(enabled=False)}
    assert "root/Deploy-MDFC-Config-H224" not in by_key(pl.resolve_groups(lib, "kbh", off, partial))


def _write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


def test_a_user_library_replaces_and_extends_without_forking(tmp_path: Path) -> None:
    user = tmp_path / "mylib"
    _write(
        user / "policy_assignments" / "Deny-Public-IP-On-NIC.alz_policy_assignment.json",
        {
            "type": "Microsoft.Authorization/policyAssignments",
            "name": "Deny-Public-IP-On-NIC",
            "properties": {
                "displayName": "Network interfaces should not have public IPs",
                "policyDefinitionId": "/providers/Microsoft.Authorization/policyDefinitions/83a86a26-fd1f-447c-b59d-e51f44264114",
                "parameters": {},
            },
        },
    )
    _write(
        user / "archetype_definitions" / "corp.alz_archetype_override.json",
        {
            "base_archetype": "corp",
            "policy_assignments_to_add": ["Deny-Public-IP-On-NIC"],
            "policy_assignments_to_remove": ["Deny-HybridNetworking"],
        },
    )
    with pytest.raises(ConfigError) as err:  # its built-in is not described yet
        pl.load_library([user])
    assert err.value.key == "kasbah:policyLibrary" and "83a86a26" in str(err.value)
    meta = json.loads((pl.LIBRARY_DIR / "builtin_policy_metadata.json").read_text())
    nic = dict(
        meta["builtins"]["6c112d4e-5bc7-47ae-a041-ea2d9dccd749"], name="83a86a26-fd1f-447c-b59d-e51f44264114"
    )
    nic["parameters"] = {}
    nic["effect"] = "deny"
    _write(user / "builtin_policy_metadata.json", {"builtins": {nic["name"]: nic}})
    lib = pl.load_library([user])
    corp = lib.archetypes["corp"].policy_assignments
    assert "Deny-Public-IP-On-NIC" in corp and "Deny-HybridNetworking" not in corp
    assert (
        "Deny-HybridNetworking" in pl.load_library().archetypes["corp"].policy_assignments
    )  # Kasbah's untouched


@pytest.mark.parametrize(
    ("relative", "content", "words"),
    [
        ("notes.json", {}, "is not a library file"),
        ("policy_assignments/x.alz_policy_assignment.json", {"name": "x"}, "has no properties"),
        (
            "policy_assignments/x.alz_policy_assignment.json",
            {"name": "x", "properties": {"policyDefinitionId": "Deny-Everything"}},
            "neither a built-in",
        ),
        (
            "archetype_definitions/corp.alz_archetype_override.json",
            {"base_archetype": "corpo"},
            "base_archetype 'corpo'",
        ),
        (
            "archetype_definitions/corp.alz_archetype_override.json",
            {"base_archetype": "corp", "policy_assignments_to_add": ["Deny-Nothing"]},
            "lacks",
        ),
    ],
)
def test_bad_library_files_fail_in_one_line(
    tmp_path: Path, relative: str, content: dict[str, Any], words: str
) -> None:
    _write(tmp_path / relative, content)
    with pytest.raises(ConfigError) as err:
        pl.load_library([tmp_path])
    assert err.value.key == "kasbah:policyLibrary"
    assert words in str(err.value) and "\n" not in str(err.value), str(err.value)


def test_exemptions_name_one_enabled_assignment(lib: pl.Library) -> None:
    items = resolved(lib)
    ok = pl.ExemptionSpec("kbh-deny-pip-corp", "/subscriptions/x", "legacy app", "2027-01-31")
    assert pl.validate_exemptions([ok], items)[0].expires.isoformat() == "2027-01-31"
    with pytest.raises(ConfigError) as err:
        pl.validate_exemptions([pl.ExemptionSpec("kbh-deny-pip-corp", "/subscriptions/x", "why")], items)
    assert err.value.key == "kasbah:exemptions[0].expires"
    with pytest.raises(ConfigError) as err2:
        pl.validate_exemptions(
            [pl.ExemptionSpec("Enforce-GR-KeyVault", "/subscriptions/x", "why", "2027-01-01")], items
        )
    assert "several groups" in str(err2.value)
    both = pl.ExemptionSpec(
        "landing_zones/Enforce-GR-KeyVault",
        "/subscriptions/x",
        "why",
        "2027-01-01",
        references=["KvPurgeProtection"],
    )
    assert pl.validate_exemptions([both], items)[0].assignment.group is pl.Group.LANDING_ZONES
    with pytest.raises(ConfigError) as err3:
        pl.validate_exemptions(
            [pl.ExemptionSpec("deny-public-ip-corp", "/subscriptions/x", "why", "2027-01-01")], items
        )
    assert "renamed to 'kbh-deny-pip-corp'" in str(err3.value)
