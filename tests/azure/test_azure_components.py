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
from components.azure.flow_logs import FlowLogTarget, NetworkWatcherMode
from components.azure.landing_zone import Archetype, LandingZone, LandingZoneArgs, PrincipalType, RoleGrant
from components.azure.management import Management, ManagementArgs
from components.azure.management_groups import ManagementGroups, ManagementGroupsArgs, Placement
from components.azure.network_data import BASTION_NSG_RULES, FirewallSku
from components.azure.policy_baseline import (
    PolicyBaseline,
    PolicyBaselineArgs,
    PolicySettings,
    SubscriptionTarget,
)
from components.azure.validation import APPROVED_LOCATIONS
from components.common import CLASSIFICATION_TAG, CommonArgs, stable_hash
from kasbah.engine import PreviewResult, RecordedResource, preview_program

SUB = "11111111-1111-1111-1111-111111111111"
SPOKE_SUB = "33333333-3333-3333-3333-333333333333"
TENANT = "22222222-2222-2222-2222-222222222222"
HUB_CIDR = "10.100.0.0/22"
BILLING = "/providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2"
EXEMPT_SCOPE = f"/subscriptions/{SPOKE_SUB}/resourceGroups/legacy"
OWNER = "44444444-4444-4444-4444-444444444444"
LIBRARY_DEFAULTS = {
    "classification_tag": "data-classification",
    "classification_values": ["public", "internal", "personal", "sensitive"],
    "allowed_locations": list(APPROVED_LOCATIONS),
    "log_analytics_workspace_id": "/subscriptions/x/resourceGroups/y/providers/Microsoft.OperationalInsights/workspaces/z",
    "security_contact_email": "a@b.ma",
    "mdfc_export_resource_group_name": "rg-kbh-mdfc-export-frc",
    "mdfc_export_resource_group_location": "francecentral",
    "private_dns_zone_subscription_id": SUB,
    "private_dns_zone_resource_group_name": "rg-kbh-connectivity-frc",
    "private_dns_zone_region": "francecentral",
    "private_dns_zone_resource_group_id": f"/subscriptions/{SUB}/resourceGroups/rg-kbh-connectivity-frc",
    "ama_data_collection_rule_id": "/subscriptions/x/resourceGroups/y/providers/Microsoft.Insights/dataCollectionRules/z",
    "ama_user_assigned_managed_identity_id": "/subscriptions/x/resourceGroups/y/providers/Microsoft.ManagedIdentity/userAssignedIdentities/z",
    "tag_excluded_resource_groups": ["NetworkWatcherRG"],
}

T_ASSIGN = "azure-native:authorization:PolicyAssignment"
T_ROLE = "azure-native:authorization:RoleAssignment"
T_DEF = "azure-native:authorization:PolicyDefinitionAtManagementGroup"
T_SET = "azure-native:authorization:PolicySetDefinitionAtManagementGroup"
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
            flow_log_locations=["francecentral"],
        ),
        provider=hub_provider,
    )
    flow_logs = FlowLogTarget(
        storage_id=mgmt.flow_log_storage["francecentral"].id,
        workspace=(mgmt.workspace.id, mgmt.workspace.customer_id, "francecentral"),
        network_watcher=NetworkWatcherMode.CREATE,
    )
    hub = Connectivity(
        "hub",
        ConnectivityArgs(
            common=common,
            hub_cidr=HUB_CIDR,
            spoke_address_space=["10.101.0.0/24", "10.101.1.0/24"],
            firewall_sku=FirewallSku.PREMIUM,
            vpn_gateway=True,
            ddos_plan=True,
            dns_resolver=True,
            workspace_id=mgmt.workspace_id,
            flow_logs=flow_logs,
        ),
        provider=hub_provider,
    )
    mgmt.connect(hub.hub)
    baseline = PolicyBaseline(
        "policy",
        PolicyBaselineArgs(
            common=common,
            policies=PolicySettings(
                switches={
                    "kbh-deny-hybrid-net": pl.PolicySwitch(enabled=False),
                    "Deploy-MDFC-Config-H224": pl.PolicySwitch(enforcement=pl.Enforcement.DO_NOT_ENFORCE),
                }
            ),
            defaults={
                **LIBRARY_DEFAULTS,
                "log_analytics_workspace_id": mgmt.workspace.id,
                "private_dns_zone_resource_group_id": hub.resource_group.id,
            },
            default_dependencies={"log_analytics_workspace_id": [mgmt.workspace]},
            subscriptions=[SubscriptionTarget("hub", SUB, pl.Group.CONNECTIVITY, hub_provider)],
            exemptions=[pl.ExemptionSpec("kbh-deny-pip-corp", EXEMPT_SCOPE, "legacy gateway", "2027-03-31")],
        ),
        groups=groups.groups,
        provider=hub_provider,
    )
    role_id, role_deps = baseline.role_definition_id("Network-Subnet-Contributor")
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
            flow_logs=flow_logs,
            owners=[RoleGrant(OWNER, PrincipalType.GROUP, role_id, "Network-Subnet-Contributor", role_deps)],
            policies=PolicySettings(),
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
            archetype=Archetype.ONLINE,
            common=common,
            management_group=groups.groups[pl.Group.ONLINE],
            flow_logs=flow_logs,
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
    for key in ("root/kbh-allowed-locs", "root/kbh-allowed-locs-rg"):
        a = _assignment(result, key)
        assert a is not None, f"no {key} assignment"
        got = a.inputs["parameters"]["listOfAllowedLocations"]["value"]
        assert got == list(APPROVED_LOCATIONS), f"{a.urn}: {got}"
        assert a.inputs["enforcementMode"] == "Default", a.urn
        assert a.inputs["scope"] == "/providers/Microsoft.Management/managementGroups/kbh", a.urn
        (root,) = [g for g in result.by_type(T_MG) if g.inputs["groupId"] == "kbh"]
        assert root.urn in a.dependencies, f"{a.urn} does not wait for its management group"


def test_every_assignment_has_a_non_compliance_message(result: PreviewResult) -> None:
    assigned = [a for a in result.by_type(T_ASSIGN) if "PolicyBaseline" in a.urn]
    lib = pl.load_library()
    total = sum(len(lib.archetypes[pl.ARCHETYPE_OF[g]].policy_assignments) for g in pl.Group)
    assert len(assigned) == total - 1  # kbh-deny-hybrid-net is switched off
    assert _assignment(result, "sandbox/kbh-deny-hybrid-net") is None
    for a in assigned:
        msgs = a.inputs.get("nonComplianceMessages") or []
        assert msgs and msgs[0]["message"].strip(), f"{a.urn} has no non-compliance message"
        assert "{enforcementMode}" not in msgs[0]["message"], a.urn
        assert len(a.inputs["policyAssignmentName"]) <= 24, a.urn
    defender = _assignment(result, "root/Deploy-MDFC-Config-H224")
    assert defender is not None and defender.inputs["enforcementMode"] == "DoNotEnforce", "defender"
    assert "should" in defender.inputs["nonComplianceMessages"][0]["message"]


def test_remediating_assignments_have_an_identity_and_their_roles(result: PreviewResult) -> None:
    roles = result.by_type(T_ROLE)
    lib = pl.load_library()
    resolved = {a.key: a for a in pl.resolve_groups(lib, "kbh", {}, LIBRARY_DEFAULTS)}
    checked = 0
    for a in [x for x in result.by_type(T_ASSIGN) if "PolicyBaseline" in x.urn]:
        key = a.inputs["metadata"]["kasbahKey"]
        spec = resolved[key]
        if not spec.needs_identity:
            assert "identity" not in a.inputs, f"{a.urn} has an identity it does not need"
            continue
        assert a.inputs["identity"]["type"] == "SystemAssigned", f"{a.urn} has no managed identity"
        assert a.inputs["location"] == "francecentral", a.urn
        mine = [x for x in roles if a.urn in x.property_dependencies.get("principalId", [])]
        at_scope = [x for x in mine if x.inputs.get("scope") == a.inputs["scope"]]
        assert {x.inputs["roleDefinitionId"] for x in at_scope} == set(spec.role_definition_ids), a.urn
        for x in mine:
            assert x.inputs["principalType"] == "ServicePrincipal", x.urn
        checked += 1
    assert checked >= 8
    # The activity-log identity also gets its roles on the workspace it writes to.
    act = _assignment(result, "root/Deploy-AzActivity-Log")
    assert act is not None
    (ws,) = result.by_type("azure-native:operationalinsights:Workspace")
    on_ws = [
        x
        for x in roles
        if act.urn in x.property_dependencies.get("principalId", [])
        and ws.urn in x.property_dependencies.get("scope", [])
    ]
    assert len(on_ws) == 2, on_ws


def test_definitions_initiatives_and_roles_at_the_root(result: PreviewResult) -> None:
    lib = pl.load_library()
    defs, sets, roles = pl.custom_items(lib)
    got = {d.inputs["policyDefinitionName"] for d in result.by_type(T_DEF)}
    assert got == set(defs)
    sets_got = {s.inputs["policySetDefinitionName"]: s for s in result.by_type(T_SET)}
    assert set(sets_got) == set(sets)
    for s in sets_got.values():
        for m in s.inputs["policyDefinitions"]:
            pid = m["policyDefinitionId"]
            assert "/managementGroups/placeholder/" not in pid and "/contoso/" not in pid, s.urn
            if "/managementGroups/" in pid:
                assert pid.startswith("/providers/Microsoft.Management/managementGroups/kbh/"), s.urn
    made = {r.inputs["roleName"]: r for r in result.by_type("azure-native:authorization:RoleDefinition")}
    assert set(made) == {f"{r} (kbh)" for r in roles}
    for r in made.values():
        assert r.inputs["assignableScopes"] == ["/providers/Microsoft.Management/managementGroups/kbh"], r.urn
        assert r.inputs["roleType"] == "CustomRole"


def test_remediation_tasks_run_in_known_subscriptions(result: PreviewResult) -> None:
    deployments = [
        d
        for d in result.by_type("azure-native:resources:DeploymentAtSubscriptionScope")
        if "-remediate-" in d.urn
    ]
    # MDFC is DoNotEnforce here: no task for it; activity log and tag inheritance get one each in the
    # hub subscription, and the landing zone's backup enrolment none (it acts per VM).
    (d,) = deployments
    assert d.urn.endswith("::policy-remediate-hub") and d.provider and d.provider.endswith("::hub"), d.urn
    tasks = d.inputs["properties"]["template"]["resources"]
    assert sorted(t["name"].rsplit("-", 1)[0] for t in tasks) == [
        "deploy-azactivity-log",
        "kbh-inherit-class-tag",
    ]
    assert all("policyDefinitionReferenceId" not in t["properties"] for t in tasks)  # definitions, not sets
    assert all(len(t["name"]) <= 64 for t in tasks)
    assert any("RoleAssignment" in u for u in d.dependencies), f"{d.urn} does not wait for the roles"
    params = d.inputs["properties"]["parameters"]
    assert len(params) == 2 and all(p["value"] == "[unknown]" for p in params.values())  # assignment ids


def test_landing_zone_subscription_backs_up_its_vms(result: PreviewResult) -> None:
    (a,) = [x for x in result.by_type(T_ASSIGN) if "LandingZone" in x.urn]
    assert a.inputs["scope"] == f"/subscriptions/{SPOKE_SUB}"
    assert a.inputs["policyDefinitionId"].endswith("09ce66bc-1220-4153-8104-e3f51c936913")
    (policy,) = [
        p for p in result.by_type("azure-native:recoveryservices:ProtectionPolicy") if "lz-erp" in p.urn
    ]
    assert policy.urn in a.property_dependencies["parameters"]
    assert a.inputs["parameters"]["vaultLocation"]["value"] == "francecentral"


def test_owners_get_their_role_on_the_subscription(result: PreviewResult) -> None:
    (owner,) = [x for x in result.by_type(T_ROLE) if "-owner-" in x.urn]
    assert owner.inputs["scope"] == f"/subscriptions/{SPOKE_SUB}"
    assert owner.inputs["principalId"] == OWNER and owner.inputs["principalType"] == "Group"
    (role,) = [
        r for r in result.by_type("azure-native:authorization:RoleDefinition") if "Network-Subnet" in r.urn
    ]
    assert role.urn in owner.property_dependencies["roleDefinitionId"]


def test_spoke_routes_go_through_the_firewall(result: PreviewResult) -> None:
    fw_ip = plan_hub("k", HUB_CIDR).firewall_private_ip
    tables = {t.urn.rsplit("::", 1)[1]: t for t in result.by_type(T_RT)}
    assert set(tables) == {"lz-erp-rt", "lz-web-rt", "hub-rt-gateway"}
    corp, online = tables["lz-erp-rt"], tables["lz-web-rt"]
    assert [(x["addressPrefix"], x["nextHopIpAddress"]) for x in corp.inputs["routes"]] == [
        ("0.0.0.0/0", fw_ip)
    ]
    assert {x["addressPrefix"] for x in online.inputs["routes"]} == {
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
    }
    for rt in (corp, online):
        assert all(
            x["nextHopType"] == "VirtualAppliance" and x["nextHopIpAddress"] == fw_ip
            for x in rt.inputs["routes"]
        )
        assert rt.inputs["disableBgpRoutePropagation"] is True, rt.urn
    gw = tables["hub-rt-gateway"]
    assert {x["addressPrefix"] for x in gw.inputs["routes"]} == {"10.101.0.0/24", "10.101.1.0/24"}
    assert gw.inputs["disableBgpRoutePropagation"] is False
    spokes = [v for v in result.by_type(T_VNET) if "LandingZone" in v.urn]
    assert len(spokes) == 2
    for v in spokes:
        rts = [u for u in v.property_dependencies.get("subnets", []) if "RouteTable" in u]
        assert len(rts) == 1, f"{v.urn}: subnets use {rts}"
        for sn in v.inputs["subnets"]:
            assert "routeTable" in sn, f"{v.urn}: subnet {sn['name']} has no route table"
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
    assert len(flows) == 3  # hub and both spokes
    stores = {s.urn: s for s in result.by_type(T_ST)}
    watchers = result.by_type("azure-native:network:NetworkWatcher")  # create mode: one per subscription
    assert len({(w.provider, w.inputs["location"]) for w in watchers}) == len(watchers) == 3
    for f in flows:
        (st_urn,) = f.property_dependencies["storageId"]
        assert stores[st_urn].inputs["location"] == f.inputs["location"], f.urn
        assert "Management" in st_urn, f"{f.urn}: flow logs go to the management subscription"
        assert any("VirtualNetwork" in u for u in f.property_dependencies["targetResourceId"]), f.urn
        assert f.inputs["enabled"] is True, f.urn
        assert (
            f.inputs["flowAnalyticsConfiguration"]["networkWatcherFlowAnalyticsConfiguration"][
                "workspaceRegion"
            ]
            == "francecentral"
        )
    for f in flows:
        (mine,) = [w for w in watchers if w.provider == f.provider]
        assert mine.urn in f.dependencies, f"{f.urn} does not wait for its subscription's watcher"
        assert mine.inputs["networkWatcherName"] == "NetworkWatcher_francecentral"
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
    assert len(stores) >= 6
    for s in stores:
        assert s.inputs.get("tags", {}).get(CLASSIFICATION_TAG) in (
            "public",
            "internal",
            "personal",
            "sensitive",
        ), s.urn
    (ws,) = result.by_type("azure-native:operationalinsights:Workspace")
    assert ws.inputs["tags"][CLASSIFICATION_TAG] == "internal", ws.urn
    assert ws.inputs["retentionInDays"] == 90 and ws.inputs["workspaceCapping"]["dailyQuotaGb"] == -1, ws.urn


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
    (corp,) = [a for a in result.by_type(T_ASSIGN) if a.inputs["policyAssignmentName"] == "kbh-deny-pip-corp"]
    assert corp.urn in ex.property_dependencies["policyAssignmentId"], ex.urn


def test_vended_subscription_is_placed_and_budgeted(result: PreviewResult) -> None:
    (alias,) = result.by_type("azure-native:subscription:Alias")
    props: dict[str, Any] = alias.inputs["properties"]
    assert props["billingScope"] == BILLING, alias.urn
    assert props["additionalProperties"]["managementGroupId"].endswith("/kbh-online"), alias.urn
    (online,) = [g for g in result.by_type(T_MG) if g.inputs["groupId"] == "kbh-online"]
    assert online.urn in alias.dependencies, f"{alias.urn} does not wait for its management group"
    budgets = result.by_type("azure-native:consumption:Budget")
    assert len(budgets) == 2
    web = next(b for b in budgets if "lz-web" in b.urn)
    assert web.provider and "lz-web-provider" in web.provider, f"{web.urn} is not in the vended subscription"
    assert alias.urn in web.property_dependencies.get("scope", []), (
        f"{web.urn}: scope is not the vended subscription"
    )
    assert web.inputs["scope"] == "[unknown]", web.urn
    assert all(b.options["ignoreChanges"] == ["timePeriod"] for b in budgets)


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
