"""Azure landing-zone components under the offline engine: the guardrails a reviewer checks.

One composed program (every component, every option on, two landing zones: an existing
subscription and a vended one) is previewed once per module without policy packs; the
stacks' policy previews are in test_azure_stacks.py. Values unknown during preview are
compared through property dependencies (which resource an input comes from).
"""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from components.azure import policy_library as pl
from components.azure.addressing import NO_NSG_SUBNETS, plan_hub
from components.azure.connectivity import Connectivity, ConnectivityArgs
from components.azure.landing_zone import LandingZone, LandingZoneArgs
from components.azure.management import Management, ManagementArgs
from components.azure.management_groups import ManagementGroups, ManagementGroupsArgs, Placement
from components.azure.network_data import BASTION_NSG_RULES, FirewallSku
from components.azure.policy_baseline import PolicyBaseline, PolicyBaselineArgs
from components.azure.validation import APPROVED_LOCATIONS
from components.common import CLASSIFICATION_TAG, CommonArgs, stable_hash
from kasbah.engine import PreviewResult, RecordedResource, preview_program

SUB = "11111111-1111-1111-1111-111111111111"
SPOKE_SUB = "33333333-3333-3333-3333-333333333333"
TENANT = "22222222-2222-2222-2222-222222222222"
HUB_CIDR = "10.100.0.0/22"
BILLING = "/providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2"
EXEMPT_SCOPE = f"/subscriptions/{SPOKE_SUB}/resourceGroups/legacy"

T_ASSIGN = "azure-native:authorization:PolicyAssignment"
T_ROLE = "azure-native:authorization:RoleAssignment"
T_DEF = "azure-native:authorization:PolicyDefinitionAtManagementGroup"
T_RT = "azure-native:network:RouteTable"
T_VNET = "azure-native:network:VirtualNetwork"
T_NSG = "azure-native:network:NetworkSecurityGroup"
T_KV = "azure-native:keyvault:Vault"
T_PEP = "azure-native:network:PrivateEndpoint"
T_PEER = "azure-native:network:VirtualNetworkPeering"
T_ST = "azure-native:storage:StorageAccount"
T_FLOW = "azure-native:network:FlowLog"
T_MG = "azure-native:management:ManagementGroup"
T_EXEMPT = "azure-native:authorization:PolicyExemption"

DATA_STORES = (
    "azure-native:storage:StorageAccount",
    "azure-native:keyvault:Vault",
    "azure-native:operationalinsights:Workspace",
    "azure-native:recoveryservices:Vault",
)


def program() -> None:
    common = CommonArgs(prefix="kbh", tags={"owner": "platform"})
    hub_provider = pulumi.ProviderResource("azure-native", "hub", {"subscriptionId": SUB})
    spoke_provider = pulumi.ProviderResource("azure-native", "spoke", {"subscriptionId": SPOKE_SUB})
    groups = ManagementGroups(
        "alz",
        ManagementGroupsArgs(
            common=common,
            parent_id=TENANT,
            placements=[Placement("platform", pl.Group.CONNECTIVITY, hub_provider)],
        ),
        provider=hub_provider,
    )
    mgmt = Management(
        "mgmt",
        ManagementArgs(
            subscription_id=SUB,
            common=common,
            sentinel=True,
            automation_account=True,
            alert_emails=["a@b.ma"],
        ),
        provider=hub_provider,
    )
    PolicyBaseline(
        "policy",
        PolicyBaselineArgs(
            common=common,
            workspace_id=mgmt.workspace_id,
            switches={
                "deny-hybrid-networking": pl.PolicySwitch(enabled=False),
                "defender-plans": pl.PolicySwitch(enforcement=pl.Enforcement.DO_NOT_ENFORCE),
            },
            exemptions=[
                pl.ExemptionSpec("deny-public-ip-corp", EXEMPT_SCOPE, "legacy gateway", "2027-03-31")
            ],
        ),
        provider=hub_provider,
        opts=pulumi.ResourceOptions(depends_on=[groups]),
    )
    hub = Connectivity(
        "hub",
        ConnectivityArgs(
            common=common,
            hub_cidr=HUB_CIDR,
            firewall_sku=FirewallSku.PREMIUM,
            vpn_gateway=True,
            ddos_plan=True,
            dns_resolver=True,
            workspace_id=mgmt.workspace_id,
        ),
        provider=hub_provider,
    )
    LandingZone(
        "lz-erp",
        LandingZoneArgs(
            name="erp",
            cidr="10.101.0.0/24",
            hub=hub.hub,
            tenant_id=TENANT,
            subscription_id=SPOKE_SUB,
            common=common,
            workspace=(mgmt.workspace.id, mgmt.workspace.customer_id),
        ),
        provider=spoke_provider,
    )
    LandingZone(
        "lz-web",
        LandingZoneArgs(
            name="web",
            cidr="10.101.1.0/24",
            hub=hub.hub,
            tenant_id=TENANT,
            billing_scope=BILLING,
            common=common,
        ),
        tenant_provider=hub_provider,
    )


@pytest.fixture(scope="module")
def result() -> PreviewResult:
    return preview_program(
        program,
        config={"azure-native:location": "francecentral", "azure-native:subscriptionId": SUB},
        policy_packs=[],
    )


def _assignment(r: PreviewResult, key: str) -> RecordedResource | None:
    for a in r.by_type(T_ASSIGN):
        if (a.inputs.get("metadata") or {}).get("kasbahKey") == key:
            return a
    return None


def test_allowed_locations_lists_exactly_the_approved_locations(result: PreviewResult) -> None:
    for key in ("allowed-locations", "allowed-locations-rg"):
        a = _assignment(result, key)
        assert a is not None, f"no {key} assignment"
        got = a.inputs["parameters"]["listOfAllowedLocations"]["value"]
        assert got == list(APPROVED_LOCATIONS), f"{a.urn}: {got}"
        assert a.inputs["enforcementMode"] == "Default", a.urn
        assert a.inputs["scope"] == "/providers/Microsoft.Management/managementGroups/kbh", a.urn


def test_every_assignment_has_a_non_compliance_message(result: PreviewResult) -> None:
    assigned = result.by_type(T_ASSIGN)
    assert len(assigned) == len(pl.ASSIGNMENTS) - 1  # deny-hybrid-networking is switched off
    assert _assignment(result, "deny-hybrid-networking") is None
    for a in assigned:
        msgs = a.inputs.get("nonComplianceMessages") or []
        assert msgs and msgs[0]["message"].strip(), f"{a.urn} has no non-compliance message"
        assert len(a.inputs["policyAssignmentName"]) <= 24, a.urn
    defender = _assignment(result, "defender-plans")
    assert defender is not None and defender.inputs["enforcementMode"] == "DoNotEnforce", "defender-plans"


def test_remediating_assignments_have_an_identity_and_their_roles(result: PreviewResult) -> None:
    roles = result.by_type(T_ROLE)
    checked = 0
    for key in ("inherit-classification-tag", "defender-plans", "diagnostics-to-log-analytics"):
        a = _assignment(result, key)
        assert a is not None, key
        assert a.inputs["identity"]["type"] == "SystemAssigned", f"{a.urn} has no managed identity"
        assert a.inputs["location"] == "francecentral", a.urn
        wanted = {pl.role_definition_id(r) for r in pl.assignment_roles(pl.assignment_by_key(key))}
        mine = [x for x in roles if a.urn in x.property_dependencies.get("principalId", [])]
        assert {x.inputs["roleDefinitionId"] for x in mine} == wanted, f"{a.urn}: roles {mine}"
        for x in mine:
            assert x.inputs["scope"] == a.inputs["scope"], x.urn
            assert x.inputs["principalType"] == "ServicePrincipal", x.urn
        checked += 1
    # The definitions' roleDefinitionIds are what the role assignments grant.
    for d in result.by_type(T_DEF):
        then = d.inputs["policyRule"]["then"]
        if "roleDefinitionIds" in then.get("details", {}):
            assert set(then["details"]["roleDefinitionIds"]) == {
                pl.role_definition_id(r) for r in pl.definition(d.inputs["policyDefinitionName"]).roles
            }, d.urn
    assert checked == 3
    for a in result.by_type(T_ASSIGN):
        key = a.inputs["metadata"]["kasbahKey"]
        if not pl.needs_identity(pl.assignment_by_key(key)):
            assert "identity" not in a.inputs, f"{a.urn} has an identity it does not need"


def test_every_spoke_default_route_goes_to_the_firewall(result: PreviewResult) -> None:
    fw_ip = plan_hub("k", HUB_CIDR).firewall_private_ip
    tables = result.by_type(T_RT)
    assert len(tables) == 2
    for rt in tables:
        defaults = [x for x in rt.inputs["routes"] if x["addressPrefix"] == "0.0.0.0/0"]
        assert len(defaults) == 1, rt.urn
        assert defaults[0]["nextHopType"] == "VirtualAppliance", rt.urn
        assert defaults[0]["nextHopIpAddress"] == fw_ip, f"{rt.urn}: {defaults[0]}"
        assert rt.inputs["disableBgpRoutePropagation"] is True, rt.urn
    spokes = [v for v in result.by_type(T_VNET) if "LandingZone" in v.urn]
    assert len(spokes) == 2
    for v in spokes:
        rts = [u for u in v.property_dependencies.get("subnets", []) if "RouteTable" in u]
        assert len(rts) == 1, f"{v.urn}: subnets use {rts}"
        for s in v.inputs["subnets"]:
            assert "routeTable" in s, f"{v.urn}: subnet {s['name']} has no route table"
        assert v.inputs["dhcpOptions"]["dnsServers"] == [fw_ip], v.urn


def test_every_subnet_that_supports_an_nsg_has_one(result: PreviewResult) -> None:
    seen = 0
    for v in result.by_type(T_VNET):
        nsg_deps = [u for u in v.property_dependencies.get("subnets", []) if "NetworkSecurityGroup" in u]
        for s in v.inputs["subnets"]:
            seen += 1
            if s["name"] in NO_NSG_SUBNETS:
                assert "networkSecurityGroup" not in s, f"{v.urn}: {s['name']} may not have an NSG"
            else:
                assert "networkSecurityGroup" in s, f"{v.urn}: subnet {s['name']} has no NSG"
        assert nsg_deps, f"{v.urn} references no NSG"
    assert seen == 7 + 3 + 3


def test_bastion_nsg_carries_the_required_rules(result: PreviewResult) -> None:
    (nsg,) = [n for n in result.by_type(T_NSG) if n.name.endswith("nsg-bastion")]
    got = {r["name"]: r for r in nsg.inputs["securityRules"]}
    assert set(got) == {r.name for r in BASTION_NSG_RULES}, nsg.urn
    https = got["AllowHttpsInbound"]
    assert (https["sourceAddressPrefix"], https["destinationPortRange"], https["access"]) == (
        "Internet",
        "443",
        "Allow",
    )
    assert sorted(got["AllowBastionHostCommunication"]["destinationPortRanges"]) == ["5701", "8080"], nsg.urn


def test_key_vaults_have_purge_protection_rbac_and_a_private_endpoint(result: PreviewResult) -> None:
    vaults = result.by_type(T_KV)
    assert len(vaults) == 2
    endpoints = result.by_type(T_PEP)
    for kv in vaults:
        p = kv.inputs["properties"]
        assert p["enablePurgeProtection"] is True, f"{kv.urn} has no purge protection"
        assert p["enableRbacAuthorization"] is True, kv.urn
        assert p["publicNetworkAccess"] == "Disabled", kv.urn
        assert any(
            kv.urn in e.property_dependencies.get("privateLinkServiceConnections", []) for e in endpoints
        ), f"{kv.urn} has no private endpoint"
    erp = next(kv for kv in vaults if "lz-erp" in kv.urn)
    assert erp.inputs["vaultName"].endswith(stable_hash(SPOKE_SUB)), erp.urn


def test_spokes_are_peered_both_ways(result: PreviewResult) -> None:
    peerings = result.by_type(T_PEER)
    hub_vnet = next(v for v in result.by_type(T_VNET) if "Connectivity" in v.urn)
    for lz in ("lz-erp", "lz-web"):
        spoke = next(v for v in result.by_type(T_VNET) if f"::{lz}-vnet" in v.urn)
        to_hub = [
            p
            for p in peerings
            if hub_vnet.urn in p.property_dependencies.get("remoteVirtualNetwork", []) and lz in p.urn
        ]
        from_hub = [
            p for p in peerings if spoke.urn in p.property_dependencies.get("remoteVirtualNetwork", [])
        ]
        assert len(to_hub) == 1 and len(from_hub) == 1, f"{spoke.urn}: {to_hub} {from_hub}"
        assert from_hub[0].provider and from_hub[0].provider.endswith("::hub"), from_hub[0].urn
        assert (
            to_hub[0].inputs["useRemoteGateways"] is True
            and from_hub[0].inputs["allowGatewayTransit"] is True
        )
    erp_to_hub = next(p for p in peerings if "lz-erp-peer-to-hub" in p.urn)
    assert erp_to_hub.provider and erp_to_hub.provider.endswith("::spoke"), erp_to_hub.urn


def test_flow_logs_use_a_storage_account_in_the_same_region(result: PreviewResult) -> None:
    flows = result.by_type(T_FLOW)
    assert len(flows) == 2
    stores = {s.urn: s for s in result.by_type(T_ST)}
    for f in flows:
        (st_urn,) = f.property_dependencies["storageId"]
        assert stores[st_urn].inputs["location"] == f.inputs["location"], f.urn
        assert f.inputs["networkWatcherName"] == f"NetworkWatcher_{f.inputs['location']}", f.urn
        assert any("VirtualNetwork" in u for u in f.property_dependencies["targetResourceId"]), f.urn
        assert f.inputs["enabled"] is True, f.urn
    for s in stores.values():
        i = s.inputs
        assert i["networkRuleSet"]["defaultAction"] == "Deny", f"{s.urn} is open to every network"
        assert i["networkRuleSet"]["bypass"] == "AzureServices", f"{s.urn}: Network Watcher cannot write"
        assert (i["enableHttpsTrafficOnly"], i["minimumTlsVersion"], i["allowBlobPublicAccess"]) == (
            True,
            "TLS1_2",
            False,
        ), s.urn


def test_every_data_store_is_classified(result: PreviewResult) -> None:
    stores = [r for r in result.resources if r.type in DATA_STORES]
    assert len(stores) >= 7
    for s in stores:
        assert s.inputs.get("tags", {}).get(CLASSIFICATION_TAG) in (
            "public",
            "internal",
            "personal",
            "sensitive",
        ), s.urn
    (ws,) = result.by_type("azure-native:operationalinsights:Workspace")
    assert ws.inputs["tags"][CLASSIFICATION_TAG] == "internal", ws.urn
    assert ws.inputs["retentionInDays"] == 90 and ws.inputs["workspaceCapping"]["dailyQuotaGb"] == 5, ws.urn


def test_management_group_hierarchy(result: PreviewResult) -> None:
    groups = {g.inputs["groupId"]: g for g in result.by_type(T_MG)}
    assert set(groups) == {"kbh" if not g.value else f"kbh-{g.value}" for g in pl.Group}
    parent = {k: (v.inputs.get("details") or {}).get("parent", {}).get("id", "") for k, v in groups.items()}
    mg = "/providers/Microsoft.Management/managementGroups/"
    assert parent["kbh"] == mg + TENANT
    assert parent["kbh-corp"] == mg + "kbh-landingzones"
    assert parent["kbh-connectivity"] == mg + "kbh-platform"
    assert parent["kbh-decommissioned"] == mg + "kbh"


def test_exemption_has_scope_reason_and_expiry(result: PreviewResult) -> None:
    (ex,) = result.by_type(T_EXEMPT)
    assert ex.inputs["scope"] == EXEMPT_SCOPE, ex.urn
    assert ex.inputs["expiresOn"] == "2027-03-31T23:59:59Z", ex.urn
    assert ex.inputs["description"] == "legacy gateway", ex.urn
    assert ex.inputs["policyAssignmentId"].endswith("/policyAssignments/kbh-deny-pip-corp"), ex.urn


def test_vended_subscription_is_placed_and_budgeted(result: PreviewResult) -> None:
    (alias,) = result.by_type("azure-native:subscription:Alias")
    props: dict[str, Any] = alias.inputs["properties"]
    assert props["billingScope"] == BILLING, alias.urn
    assert props["additionalProperties"]["managementGroupId"].endswith("/kbh-corp"), alias.urn
    budgets = result.by_type("azure-native:consumption:Budget")
    assert len(budgets) == 2
    web = next(b for b in budgets if "lz-web" in b.urn)
    assert web.provider and "lz-web-provider" in web.provider, f"{web.urn} is not in the vended subscription"
    assert alias.urn in web.property_dependencies.get("scope", []), (
        f"{web.urn}: scope is not the vended subscription"
    )
    assert web.inputs["scope"] == "[unknown]", web.urn


def test_firewall_and_data_stores_send_diagnostics_to_the_workspace(result: PreviewResult) -> None:
    (ws,) = result.by_type("azure-native:operationalinsights:Workspace")
    diags = result.by_type("azure-native:monitor:DiagnosticSetting")
    for d in diags:
        assert ws.urn in d.property_dependencies.get("workspaceId", []), (
            f"{d.urn} does not go to the workspace"
        )
    covered = {u for d in diags for u in d.property_dependencies.get("resourceUri", [])}
    wanted = [
        *result.by_type("azure-native:network:AzureFirewall"),
        *result.by_type("azure-native:network:BastionHost"),
        *[kv for kv in result.by_type(T_KV) if "lz-erp" in kv.urn],
        *[n for n in result.by_type(T_NSG) if "lz-erp" in n.urn or "::hub-" in n.urn],
    ]
    assert len(wanted) == 1 + 1 + 1 + 3 + 3
    for res in wanted:
        assert res.urn in covered, f"{res.urn} has no diagnostic setting"
