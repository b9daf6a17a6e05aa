"""azure-landing-zone: the Azure Landing Zones pattern (composition only; see settings.py and components/azure)."""

import pulumi
from pulumi_azure_native import provider as azure_provider
from settings import (
    OUTPUTS,
    Settings,
    management_args,
    policy_defaults,
    validate,
)

from components.azure.connectivity import Connectivity, ConnectivityArgs
from components.azure.flow_logs import FlowLogTarget, WatcherRef
from components.azure.landing_zone import LandingZone, LandingZoneArgs, RoleGrant
from components.azure.management import Management
from components.azure.management_groups import ManagementGroups, ManagementGroupsArgs, Placement
from components.azure.policy_baseline import (
    PolicyBaseline,
    PolicyBaselineArgs,
    PolicySettings,
    SubscriptionTarget,
)
from components.azure.policy_library import Group
from components.common import CommonArgs
from components.settings import read_settings

settings = read_settings(Settings)
plan = validate(settings)
common = CommonArgs(prefix=settings.prefix, tags=settings.tags, protect=settings.protect)
root_id = settings.root_id or settings.prefix
subs = settings.subscriptions
policies = PolicySettings(library=settings.policy_library, switches=settings.policies)

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
management = Management("management", management_args(settings), provider=mgmt_provider)
workspace = (management.workspace.id, management.workspace.customer_id, settings.location)
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
        flow_logs=FlowLogTarget(
            storage_id=management.flow_log_storage[settings.location].id,
            workspace=workspace,
            network_watcher=settings.network_watcher,
        ),
    ),
    provider=provider_for(connectivity_sub),
)
management.connect(connectivity.hub)

defaults = policy_defaults(
    settings,
    {
        "log_analytics_workspace_id": management.workspace.id,
        "ama_data_collection_rule_id": management.data_collection_rule.id,
        "ama_user_assigned_managed_identity_id": management.agent_identity.id,
        "private_dns_zone_resource_group_id": connectivity.resource_group.id,
    },
)
placed = groups.placed
platform_targets = [
    SubscriptionTarget(sid, sid, group, provider_for(sid), [placed[sid]])
    for sid, group in plan.placements.items()
]
baseline = PolicyBaseline(
    "policy",
    PolicyBaselineArgs(
        common=common,
        root_id=root_id,
        location=settings.location,
        policies=policies,
        defaults=defaults,
        default_dependencies={
            "log_analytics_workspace_id": [management.workspace],
            "ama_data_collection_rule_id": [management.data_collection_rule],
            "ama_user_assigned_managed_identity_id": [management.agent_identity],
            "private_dns_zone_resource_group_name": [
                connectivity.resource_group,
                *connectivity.dns_zones.values(),
            ],
            "private_dns_zone_resource_group_id": [connectivity.resource_group],
        },
        subscriptions=platform_targets,
        exemptions=settings.exemptions,
    ),
    groups=groups.groups,
    provider=mgmt_provider,
)

# One regional Network Watcher per subscription when the stack creates them (``create`` mode).
watchers: dict[str, WatcherRef] = {}
if connectivity.hub.watcher is not None:
    watchers[connectivity_sub] = connectivity.hub.watcher
landing_zones: dict[str, dict[str, pulumi.Output[str] | str]] = {}
for lz, cidr in zip(settings.landing_zones, plan.spoke_cidrs, strict=True):
    sid = lz.subscription_id.lower() if lz.subscription_id else None
    group = Group.CORP if lz.archetype.value == "corp" else Group.ONLINE
    owners = []
    for o in lz.owners:
        role_id, role_deps = baseline.role_definition_id(o.role)
        owners.append(RoleGrant(o.principal_id, o.principal_type, role_id, o.role, role_deps))
    zone = LandingZone(
        f"lz-{lz.name}",
        LandingZoneArgs(
            name=lz.name,
            cidr=str(cidr),
            hub=connectivity.hub,
            tenant_id=settings.tenant_id,
            subscription_id=sid,
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
            flow_logs=FlowLogTarget(
                storage_id=management.flow_log_storage[settings.location].id,
                workspace=workspace,
                network_watcher=settings.network_watcher,
                watcher=watchers.get(sid) if sid else None,
            ),
            owners=owners,
            policies=policies,
            management_group=groups.groups[group],
        ),
        provider=provider_for(sid) if sid else None,
        tenant_provider=mgmt_provider,
        opts=pulumi.ResourceOptions(depends_on=[groups]),
    )
    if sid and sid not in watchers and zone.watcher is not None and zone.watcher.resource is not None:
        watchers[sid] = zone.watcher
    if sid is None or sid not in plan.placements:
        # A vended subscription (or one placed by the landing zone only) gets its remediation tasks now.
        baseline.remediate_subscription(
            SubscriptionTarget(
                f"lz-{lz.name}",
                zone.subscription_id,
                group,
                zone.provider,
                [zone.alias] if zone.alias is not None else [placed[sid]] if sid in placed else [],
            )
        )
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
    "policyAssignments": {k: a.resolved.name for k, a in baseline.assigned.items()},
    "landingZones": landing_zones,
}
for out in OUTPUTS:
    pulumi.export(out, exports[out])
