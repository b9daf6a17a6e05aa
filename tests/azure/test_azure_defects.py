"""Issue 12: what a first `pulumi up` of azure-dev and azure-prod would have hit, and what was wrong or
insecure. One test per defect, on the stacks' offline previews (resources, inputs, dependencies):
each fails on the code before the fix. Rules are evaluated with tests/azure/policy_eval.py."""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path
from typing import Any

import pytest
from policy_eval import defaults, denies

from components.azure.management import ManagementArgs
from components.errors import ConfigError
from kasbah.engine import PreviewResult, RecordedResource, preview

REPO = Path(__file__).resolve().parents[2]
T = "azure-native:"


@pytest.fixture(scope="module")
def dev() -> PreviewResult:
    return preview(REPO, "azure-dev", policy_packs=[])


@pytest.fixture(scope="module")
def prod() -> PreviewResult:
    return preview(REPO, "azure-prod", policy_packs=[])


def named(r: PreviewResult, typ: str, suffix: str) -> RecordedResource:
    found = [x for x in r.by_type(T + typ) if x.urn.endswith("::" + suffix)]
    assert len(found) == 1, f"{typ} {suffix}: {[x.urn for x in r.by_type(T + typ)]}"
    return found[0]


def assignment(r: PreviewResult, name: str, scope_suffix: str = "") -> RecordedResource:
    found = [
        a
        for a in r.by_type(T + "authorization:PolicyAssignment")
        if a.inputs["policyAssignmentName"] == name and str(a.inputs["scope"]).endswith(scope_suffix)
    ]
    assert len(found) == 1, f"assignment {name}{scope_suffix}: {len(found)}"
    return found[0]


def definition_of(r: PreviewResult, a: RecordedResource) -> dict[str, Any]:
    name = str(a.inputs["policyDefinitionId"]).rsplit("/", 1)[-1]
    (d,) = [
        x
        for x in r.by_type(T + "authorization:PolicyDefinitionAtManagementGroup")
        if x.inputs["policyDefinitionName"] == name
    ]
    return d.inputs


def values(a: RecordedResource) -> dict[str, Any]:
    return {k: v["value"] for k, v in (a.inputs.get("parameters") or {}).items()}


# --- 1. Network Watcher -----------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_1_network_watcher_is_looked_up_not_created(stack: str, request: pytest.FixtureRequest) -> None:
    r: PreviewResult = request.getfixturevalue(stack)
    assert r.by_type(T + "network:NetworkWatcher") == [], "Azure creates NetworkWatcher_<region> itself"
    groups = [g.inputs["resourceGroupName"] for g in r.by_type(T + "resources:ResourceGroup")]
    assert "NetworkWatcherRG" not in groups
    flows = r.by_type(T + "network:FlowLog")
    assert flows
    for f in flows:
        # Name and group come from the lookup (unknown until the VNet exists), never a literal.
        assert f.inputs["networkWatcherName"] == "[unknown]", f.urn
        assert f.inputs["resourceGroupName"] == "[unknown]", f.urn
        assert any("VirtualNetwork::" in u for u in f.property_dependencies["targetResourceId"]), f.urn


# --- 2. gateway-transit peering order ------------------------------------------------------------------


def test_2_spoke_peering_waits_for_the_hub_side(prod: PreviewResult) -> None:
    spokes = [
        p for p in prod.by_type(T + "network:VirtualNetworkPeering") if p.inputs.get("useRemoteGateways")
    ]
    assert len(spokes) == 3
    for p in spokes:
        hub_side = p.urn.replace("-peer-to-hub", "-peer-from-hub")
        assert named(prod, "network:VirtualNetworkPeering", hub_side.rsplit("::", 1)[1]).inputs[
            "allowGatewayTransit"
        ]
        assert hub_side in p.dependencies, f"{p.urn} is created in parallel with {hub_side}"


# --- 3. budget start date ------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_3_budget_starts_this_month_and_ignores_later_drift(
    stack: str, request: pytest.FixtureRequest
) -> None:
    r: PreviewResult = request.getfixturevalue(stack)
    this_month = dt.datetime.now(dt.UTC).date().replace(day=1).isoformat()
    for b in r.by_type(T + "consumption:Budget"):
        assert b.inputs["timePeriod"]["startDate"] == f"{this_month}T00:00:00Z", b.urn
        assert b.options["ignoreChanges"] == ["timePeriod"], f"{b.urn}: a later run would move the start"
    from components.azure.landing_zone import budget_start

    assert budget_start(dt.date(2031, 7, 19)) == "2031-07-01"


# --- 4. per-type diagnostics ----------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_4_diagnostics_policy_uses_per_type_templates(stack: str, request: pytest.FixtureRequest) -> None:
    r: PreviewResult = request.getfixturevalue(stack)
    for d in r.by_type(T + "authorization:PolicyDefinitionAtManagementGroup"):
        then = d.inputs["policyRule"]["then"]
        if str(then.get("details", {}).get("type", "")).lower() != "microsoft.insights/diagnosticsettings":
            continue
        cond = d.inputs["policyRule"]["if"]
        assert not (cond.get("field") == "type" and "in" in cond), f"{d.urn}: one template for several types"
    diag = [
        a
        for a in r.by_type(T + "authorization:PolicyAssignment")
        if "diagnostic" in str(a.inputs.get("displayName", "")).lower()
        or "logging" in str(a.inputs.get("displayName", "")).lower()
    ]
    assert [a.inputs["policyDefinitionId"] for a in diag] == [
        "/providers/Microsoft.Authorization/policySetDefinitions/f5b29bc4-feca-4cc6-a58a-772dd5e290a5"
    ]


# --- 5. resource-group tag rule -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "NetworkWatcherRG",
        "AzureBackupRG_francecentral_1",
        "MC_rg_aks_francecentral",
        "DefaultResourceGroup-PAR",
    ],
)
def test_5_tag_rule_spares_service_created_groups(dev: PreviewResult, name: str) -> None:
    a = next(
        a
        for a in dev.by_type(T + "authorization:PolicyAssignment")
        if "data-classification tag on resource groups" in str(a.inputs["displayName"])
    )
    d = definition_of(dev, a)
    params = defaults(d["parameters"], values(a))
    rg = {
        "type": "Microsoft.Resources/subscriptions/resourceGroups",
        "name": name,
        "location": "francecentral",
    }
    assert not denies(d["policyRule"], params, rg), f"{name} would be denied"
    assert denies(d["policyRule"], params, {**rg, "name": "rg-app1-data"})


def test_5_backup_restore_points_go_to_a_named_group(prod: PreviewResult) -> None:
    for p in prod.by_type(T + "recoveryservices:ProtectionPolicy"):
        lz = p.urn.rsplit("::", 1)[1].removeprefix("lz-").removesuffix("-bkpol")
        assert p.inputs["properties"]["instantRPDetails"]["azureBackupRGNamePrefix"] == f"rg-kbh-{lz}-rp-", (
            p.urn
        )


# --- 6. Defender for Cloud ------------------------------------------------------------------------------


def test_6_defender_plans_contacts_export_and_remediation(prod: PreviewResult) -> None:
    mdfc = assignment(prod, "Deploy-MDFC-Config-H224")
    v = values(mdfc)
    for plan in (
        "AppServices",
        "OssDb",
        "CosmosDbs",
        "Apis",
        "AI",
        "Servers",
        "Storage",
        "KeyVault",
        "Arm",
        "Sql",
        "Containers",
        "Cspm",
    ):
        assert v[f"enableAscFor{plan}"] == "DeployIfNotExists", plan
    assert v["emailSecurityContact"] == "platform-team@example.ma;soc@example.ma"
    ws = named(prod, "operationalinsights:Workspace", "management-log")
    assert ws.urn in mdfc.property_dependencies["parameters"], "export goes to the platform workspace"
    deployments = [
        d for d in prod.by_type(T + "resources:DeploymentAtSubscriptionScope") if "-remediate-" in d.urn
    ]
    subs = {"5a1c2e3f-4b5d-4c6e-8f70-1122334455" + s for s in ("01", "02", "03", "04", "05")}
    assert len(deployments) == 6, "one per subscription: 5 existing and the vended one"
    providers = {str(d.provider).rsplit("::", 1)[1] for d in deployments}
    assert providers == {f"azure-{s}" for s in subs} | {"lz-analytics-provider"}, providers
    for d in deployments:
        tasks = d.inputs["properties"]["template"]["resources"]
        assert all(t["type"] == "Microsoft.PolicyInsights/remediations" for t in tasks), d.urn
        assert all(t["properties"]["resourceDiscoveryMode"] == "ReEvaluateCompliance" for t in tasks), d.urn
        refs = {t["properties"].get("policyDefinitionReferenceId") for t in tasks}
        for ref in (
            "defenderForAppServices",
            "defenderForApis",
            "securityEmailContact",
            "ascExport",
            "defenderForVM",
        ):
            assert ref in refs, f"{d.urn}: no task for {ref}"
        assert mdfc.urn in d.property_dependencies["properties"], (
            f"{d.urn}: the assignment id is not its output"
        )
        assert mdfc.urn in d.dependencies and any("-role-root-Deploy-MDFC" in u for u in d.dependencies), (
            d.urn
        )


# --- 7. management ports ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("props", "denied"),
    [
        ({"sourceAddressPrefix": "*", "destinationPortRange": "20-25"}, True),
        ({"sourceAddressPrefix": "Internet", "destinationPortRanges": ["80", "3389"]}, True),
        ({"sourceAddressPrefixes": ["0.0.0.0/0"], "destinationPortRange": "22"}, True),
        ({"sourceAddressPrefix": "Internet", "destinationPortRange": "443"}, False),
    ],
)
def test_7_management_ports_rule_covers_ranges_lists_and_prefixes(
    dev: PreviewResult, props: dict[str, Any], denied: bool
) -> None:
    a = next(
        a
        for a in dev.by_type(T + "authorization:PolicyAssignment")
        if "management port" in str(a.inputs["displayName"]).lower()
    )
    d = definition_of(dev, a)
    rule = {
        "type": "Microsoft.Network/networkSecurityGroups/securityRules",
        "name": "r",
        "properties": {"access": "Allow", "direction": "Inbound", "protocol": "Tcp", **props},
    }
    assert denies(d["policyRule"], defaults(d["parameters"], values(a)), rule) is denied, props


# --- 8. activity log at the root --------------------------------------------------------------------------


def test_8_activity_log_assigned_at_the_root_with_the_builtin(dev: PreviewResult) -> None:
    a = assignment(dev, "Deploy-AzActivity-Log")
    assert a.inputs["scope"] == "/providers/Microsoft.Management/managementGroups/kbhdev"
    assert a.inputs["policyDefinitionId"].endswith("/policyDefinitions/2465583e-4e78-4c15-b6be-a36cbc7c8b0f")
    assert (
        named(dev, "operationalinsights:Workspace", "management-log").urn
        in a.property_dependencies["parameters"]
    )


# --- 9. destroy ----------------------------------------------------------------------------------------------


def test_9_readme_says_what_destroy_does_to_a_vended_subscription() -> None:
    text = (REPO / "blueprints" / "azure-landing-zone" / "README.md").read_text()
    section = text.split("## What `pulumi destroy` removes", 1)[1]
    assert "is only cancelled" not in section
    assert "keeps running and billing" in section
    assert "az account subscription cancel" in section


# --- 10. flow logs and the secondary location -------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_10_hub_vnet_has_a_flow_log(stack: str, request: pytest.FixtureRequest) -> None:
    r: PreviewResult = request.getfixturevalue(stack)
    hub = named(r, "network:VirtualNetwork", "connectivity-vnet")
    assert [
        f for f in r.by_type(T + "network:FlowLog") if hub.urn in f.property_dependencies["targetResourceId"]
    ]
    # Every VNet has one, into a storage account of its region.
    vnets = r.by_type(T + "network:VirtualNetwork")
    covered = {
        u for f in r.by_type(T + "network:FlowLog") for u in f.property_dependencies["targetResourceId"]
    }
    assert {v.urn for v in vnets} <= covered


def test_10_secondary_location_is_no_longer_a_silent_key() -> None:
    from test_azure_stacks import PROD, _bad

    err = _bad(lambda raw: raw.update(secondaryLocation="spaincentral"))
    assert err.key == "kasbah:secondaryLocation" and "unknown configuration key" in str(err)
    assert "secondaryLocation" not in PROD


# --- 11. Sentinel workspace cap -----------------------------------------------------------------------------


def test_11_sentinel_workspace_is_not_capped(prod: PreviewResult) -> None:
    assert prod.by_type(T + "securityinsights:SentinelOnboardingState")
    ws = named(prod, "operationalinsights:Workspace", "management-log")
    assert ws.inputs["workspaceCapping"]["dailyQuotaGb"] == -1
    with pytest.raises(ConfigError) as err:
        ManagementArgs(subscription_id="5a1c2e3f-4b5d-4c6e-8f70-112233445501", sentinel=True, daily_cap_gb=20)
    assert err.value.key == "kasbah:logDailyCapGb and kasbah:sentinel"
    assert ManagementArgs(subscription_id="5a1c2e3f-4b5d-4c6e-8f70-112233445501").cap_gb == 5


# --- 12. Online spokes ---------------------------------------------------------------------------------------


def test_12_online_spoke_keeps_internet_replies_direct(prod: PreviewResult) -> None:
    online = named(prod, "network:RouteTable", "lz-portal-rt")
    prefixes = {x["addressPrefix"]: x for x in online.inputs["routes"]}
    assert "0.0.0.0/0" not in prefixes, "replies of public load balancers would cross the firewall"
    assert set(prefixes) == {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"}
    assert all(x["nextHopIpAddress"] == "10.100.0.4" for x in prefixes.values())
    corp = named(prod, "network:RouteTable", "lz-erp-rt")
    assert [x["addressPrefix"] for x in corp.inputs["routes"]] == ["0.0.0.0/0"]


# --- 13. Automation account -----------------------------------------------------------------------------------


def test_13_automation_account_is_reachable_privately(prod: PreviewResult) -> None:
    aa = named(prod, "automation:AutomationAccount", "management-aa")
    assert aa.inputs["publicNetworkAccess"] is False
    peps = [
        p
        for p in prod.by_type(T + "network:PrivateEndpoint")
        if aa.urn in p.property_dependencies.get("privateLinkServiceConnections", [])
    ]
    groups = sorted(c["groupIds"][0] for p in peps for c in p.inputs["privateLinkServiceConnections"])
    assert groups == ["DSCAndHybridWorker", "Webhook"]
    zone = named(prod, "privatedns:PrivateZone", "connectivity-pdns-privatelink.azure-automation.net")
    for p in peps:
        assert p.provider and p.provider.endswith("azure-5a1c2e3f-4b5d-4c6e-8f70-112233445502"), (
            "in the hub's subscription"
        )
        (zg,) = [
            z
            for z in prod.by_type(T + "network:PrivateDnsZoneGroup")
            if z.urn.endswith(p.urn.rsplit("::", 1)[1] + "-dns")
        ]
        assert zone.urn in zg.property_dependencies["privateDnsZoneConfigs"], zg.urn
    assert prod.by_type(T + "operationalinsights:LinkedService") == [], "Update Management was retired"


# --- 14. role assignment names ----------------------------------------------------------------------------------


def test_14_role_assignment_names_include_the_principal(dev: PreviewResult) -> None:
    from components.azure.policy_baseline import role_assignment_guid

    roles = [x for x in dev.by_type(T + "authorization:RoleAssignment") if "-role-" in x.urn]
    assert roles
    for x in roles:
        assert x.inputs["roleAssignmentName"] == "[unknown]", x.urn
        (assigned,) = x.property_dependencies["principalId"]
        assert assigned in x.property_dependencies["roleAssignmentName"], (
            f"{x.urn}: name ignores the principal"
        )
    a = role_assignment_guid("/providers/Microsoft.Management/managementGroups/kbh", "root/x", "/r/1", "p1")
    assert a != role_assignment_guid(
        "/providers/Microsoft.Management/managementGroups/kbh", "root/x", "/r/1", "p2"
    )


# --- Also check ---------------------------------------------------------------------------------------------------


def test_dns_zone_names_are_exact(dev: PreviewResult) -> None:
    names = {z.inputs["privateZoneName"] for z in dev.by_type(T + "privatedns:PrivateZone")}
    assert "privatelink.frc.backup.windowsazure.com" in names  # geo-code, not the region name
    assert "privatelink.francecentral.backup.windowsazure.com" not in names
    assert "privatelink.francecentral.azmk8s.io" in names
    assert len(names) == 85


def test_routing_is_symmetric(prod: PreviewResult) -> None:
    """on-premises <-> spoke, spoke <-> spoke and spoke <-> internet take the same path both ways."""
    fw = "10.100.0.4"
    gw_rt = named(prod, "network:RouteTable", "connectivity-rt-gateway")
    assert gw_rt.inputs["disableBgpRoutePropagation"] is False
    hub = named(prod, "network:VirtualNetwork", "connectivity-vnet")
    gw_subnet = next(s for s in hub.inputs["subnets"] if s["name"] == "GatewaySubnet")
    assert "routeTable" in gw_subnet and gw_rt.urn in hub.property_dependencies["subnets"]
    to_fw = [
        ipaddress.ip_network(x["addressPrefix"])
        for x in gw_rt.inputs["routes"]
        if x["nextHopIpAddress"] == fw
    ]

    def via_fw(rt: RecordedResource, dest: str) -> bool:
        best = max(
            (
                x
                for x in rt.inputs["routes"]
                if ipaddress.ip_address(dest) in ipaddress.ip_network(x["addressPrefix"])
            ),
            key=lambda x: ipaddress.ip_network(x["addressPrefix"]).prefixlen,
            default=None,
        )
        return best is not None and best.get("nextHopIpAddress") == fw

    spokes = {
        v.urn.rsplit("::", 1)[1].removesuffix("-vnet"): v
        for v in prod.by_type(T + "network:VirtualNetwork")
        if "LandingZone" in v.urn
    }
    on_prem = "192.168.10.10"
    for name, v in spokes.items():
        block = ipaddress.ip_network(v.inputs["addressSpace"]["addressPrefixes"][0])
        rt = named(prod, "network:RouteTable", f"{name}-rt")
        assert rt.inputs["disableBgpRoutePropagation"] is True, rt.urn
        assert any(block.subnet_of(n) for n in to_fw), f"on-premises -> {name} skips the firewall"  # type: ignore[arg-type]
        assert via_fw(rt, on_prem), f"{name} -> on-premises skips the firewall"
        for other, w in spokes.items():
            if other != name:
                dest = str(
                    ipaddress.ip_network(w.inputs["addressSpace"]["addressPrefixes"][0]).network_address + 4
                )
                assert via_fw(rt, dest), f"{name} -> {other} skips the firewall"
        corp = rt.inputs["routes"][0]["addressPrefix"] == "0.0.0.0/0"
        assert via_fw(rt, "8.8.8.8") is corp, (
            name
        )  # Corp: out through the firewall (SNAT back); Online: direct


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_data_collection_rule_serves_every_machine_and_is_associated(
    stack: str, request: pytest.FixtureRequest
) -> None:
    r: PreviewResult = request.getfixturevalue(stack)
    (dcr,) = r.by_type(T + "monitor:DataCollectionRule")
    assert "kind" not in dcr.inputs, "a Windows-kind rule cannot be used by Linux machines (syslog)"
    sources = dcr.inputs["dataSources"]
    streams = {s for kind in sources.values() for src in kind for s in src["streams"]}
    flowed = {s for f in dcr.inputs["dataFlows"] for s in f["streams"]}
    assert streams == flowed and "Microsoft-InsightsMetrics" in streams
    (identity,) = r.by_type(T + "managedidentity:UserAssignedIdentity")
    for scope in ("-platform", "-landingzones"):
        for name in ("Deploy-VM-Monitoring", "Deploy-VMSS-Monitoring"):
            a = assignment(r, name, scope)
            assert (
                dcr.urn in a.property_dependencies["parameters"]
                and identity.urn in a.property_dependencies["parameters"]
            )
            assert values(a)["bringYourOwnUserAssignedManagedIdentity"] is True
