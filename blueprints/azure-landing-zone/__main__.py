"""azure-landing-zone: the Azure Landing Zones pattern (composition only; see settings.py and components/azure)."""

import pulumi
from pulumi_azure_native import provider as azure_provider
from settings import OUTPUTS, Settings, validate

from components.azure.connectivity import Connectivity, ConnectivityArgs
from components.azure.landing_zone import LandingZone, LandingZoneArgs, NetworkWatcherMode
from components.azure.management import Management, ManagementArgs
from components.azure.management_groups import ManagementGroups, ManagementGroupsArgs, Placement
from components.azure.policy_baseline import PolicyBaseline, PolicyBaselineArgs
from components.common import CommonArgs
from components.settings import read_settings

settings = read_settings(Settings)
plan = validate(settings)
common = CommonArgs(prefix=settings.prefix, tags=settings.tags, protect=settings.protect)
root_id = settings.root_id or settings.prefix
subs = settings.subscriptions

providers: dict[str, azure_provider.Provider] = {}


def provider_for(subscription_id: str) -> azure_provider.Provider:
    """One explicit provider per subscription, named after it."""
    sid = subscription_id.lower()
    if sid not in providers:
        providers[sid] = azure_provider.Provider(
            f"azure-{sid}", subscription_id=sid, location=settings.location
        )
    return providers[sid]


management_sub = subs.management.lower()
connectivity_sub = (subs.connectivity or subs.management).lower()
mgmt_provider = provider_for(management_sub)

groups = ManagementGroups(
    "alz",
    ManagementGroupsArgs(
        common=common,
        root_id=root_id,
        parent_id=settings.root_parent_id or settings.tenant_id,
        placements=[Placement(sid, group, provider_for(sid)) for sid, group in plan.placements.items()],
    ),
    provider=mgmt_provider,
)
management = Management(
    "management",
    ManagementArgs(
        subscription_id=management_sub,
        common=common,
        location=settings.location,
        retention_days=settings.log_retention_days,
        daily_cap_gb=settings.log_daily_cap_gb,
        alert_emails=settings.alert_emails,
        sentinel=settings.sentinel,
        automation_account=settings.automation_account,
        classification=settings.platform_log_classification,
    ),
    provider=mgmt_provider,
)
baseline = PolicyBaseline(
    "policy",
    PolicyBaselineArgs(
        common=common,
        root_id=root_id,
        location=settings.location,
        allowed_locations=settings.allowed_locations,
        workspace_id=management.workspace_id,
        switches=settings.policies,
        exemptions=settings.exemptions,
    ),
    provider=mgmt_provider,
    opts=pulumi.ResourceOptions(depends_on=[groups]),
)
spoke_space = [str(c) for c in plan.spoke_cidrs] or [settings.spoke_pool]
connectivity = Connectivity(
    "connectivity",
    ConnectivityArgs(
        common=common,
        location=settings.location,
        hub_cidr=settings.hub_cidr,
        spoke_address_space=spoke_space,
        firewall_sku=settings.firewall_sku,
        vpn_gateway=settings.vpn_gateway,
        ddos_plan=settings.ddos_plan,
        dns_resolver=settings.dns_resolver,
        workspace_id=management.workspace_id,
    ),
    provider=provider_for(connectivity_sub),
)

watchers: dict[tuple[str, str], LandingZone] = {}
landing_zones: dict[str, dict[str, pulumi.Output[str] | str]] = {}
for lz, cidr in zip(settings.landing_zones, plan.spoke_cidrs, strict=True):
    mode = settings.network_watcher
    watcher_key = (lz.subscription_id.lower(), settings.location) if lz.subscription_id else None
    first = watchers.get(watcher_key) if watcher_key else None
    if first is not None:
        mode = NetworkWatcherMode.EXISTING
    zone = LandingZone(
        f"lz-{lz.name}",
        LandingZoneArgs(
            name=lz.name,
            cidr=str(cidr),
            hub=connectivity.hub,
            tenant_id=settings.tenant_id,
            subscription_id=lz.subscription_id.lower() if lz.subscription_id else None,
            billing_scope=lz.billing_scope,
            root_id=root_id,
            archetype=lz.archetype,
            common=common,
            location=settings.location,
            tiers=lz.tiers,
            classification=lz.data_classification,
            budget_amount=lz.budget_amount,
            budget_emails=lz.budget_emails,
            action_group_id=management.action_group.id,
            workspace=(management.workspace.id, management.workspace.customer_id),
            network_watcher=mode,
            network_watcher_depends_on=[first.network_watcher] if first and first.network_watcher else [],
        ),
        provider=provider_for(lz.subscription_id) if lz.subscription_id else None,
        tenant_provider=mgmt_provider,
        opts=pulumi.ResourceOptions(depends_on=[groups]),
    )
    if watcher_key and watcher_key not in watchers:
        watchers[watcher_key] = zone
    landing_zones[lz.name] = {
        "subscriptionId": zone.subscription_id,
        "addressSpace": str(cidr),
        "vnetId": zone.vnet.id,
        "keyVaultId": zone.key_vault.id,
    }

exports = {
    "managementGroupRootId": groups.root_id,
    "managementGroupIds": {g.value or "root": gid for g, gid in groups.group_ids.items()},
    "logAnalyticsWorkspaceId": management.workspace_id,
    "hubVnetId": connectivity.vnet.id,
    "firewallPrivateIp": connectivity.firewall_private_ip,
    "policyAssignments": {k: a.name for k, a in baseline.assignments.items()},
    "landingZones": landing_zones,
}
for out in OUTPUTS:
    pulumi.export(out, exports[out])
