"""Configuration of the azure-landing-zone blueprint (the ``kasbah:`` keys) and its stack outputs.

All validation happens here, in :func:`validate`, before any resource is registered: a bad value
is reported as one line naming its configuration key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from components.azure import policy_library as pl
from components.azure.addressing import SpokeRequest, allocate_spokes, plan_hub
from components.azure.flow_logs import NetworkWatcherMode
from components.azure.landing_zone import (
    Archetype,
    PrincipalType,
    global_names,
    restore_point_rg_pattern,
    unique_basis,
)
from components.azure.management import ManagementArgs
from components.azure.naming import Kind, management_group_id, resource_name
from components.azure.network_data import FirewallSku, private_dns_zones
from components.azure.policy_library import ExemptionSpec, Group, PolicySwitch
from components.azure.validation import (
    APPROVED_LOCATIONS,
    DEFAULT_LOCATION,
    validate_guid,
    validate_location,
    validate_locations,
    validate_management_group_id,
    validate_subscription_id,
)
from components.cidr import IPv4Network
from components.common import CLASSIFICATION_TAG, DataClassification, validate_prefix
from components.errors import ConfigError
from components.settings import CommonSettings


@dataclass(frozen=True)
class Subscriptions:
    """The platform subscriptions. A subscription used by several roles is placed under the first of
    Connectivity, Management, Identity."""

    management: str
    """Management subscription id (Log Analytics). Required."""
    connectivity: str | None = None
    """Connectivity subscription id (hub network). Default: the management subscription."""
    identity: str | None = None
    """Identity subscription id. Default: none (no identity subscription is placed)."""


@dataclass(frozen=True)
class OwnerSettings:
    """A principal given a role on a landing zone's subscription (``kasbah:landingZones[i].owners[j]``)."""

    principal_id: str
    """Entra ID object id of the user, group or service principal. Required."""
    principal_type: PrincipalType = PrincipalType.GROUP
    """``User``, ``Group`` or ``ServicePrincipal``. Default: ``Group``."""
    role: str = "Contributor"
    """A built-in role (Owner, Contributor, Reader...) or a custom role of the policy library
    (Network-Management, Network-Subnet-Contributor, Security-Operations). Default: ``Contributor``."""


@dataclass(frozen=True)
class LandingZoneSettings:
    """One landing zone (``kasbah:landingZones[i]``)."""

    name: str
    """Short name (1-20 letters, digits, hyphens). Required."""
    archetype: Archetype = Archetype.CORP
    """``corp`` or ``online``. Default: ``corp``."""
    subscription_id: str | None = None
    """Existing subscription id. Default: none (then ``billingScope`` vends one)."""
    billing_scope: str | None = None
    """Billing scope of a vended subscription (EA enrollment account or MCA invoice section). Default: none."""
    cidr: str | None = None
    """Spoke address space. Default: the next free ``/spokePrefixLength`` of ``spokePool``."""
    tiers: list[str] = field(default_factory=lambda: ["app", "data", "pep"])
    """Subnet tiers; the last holds private endpoints. Default: ``[app, data, pep]``."""
    data_classification: DataClassification = DataClassification.INTERNAL
    """Classification of the landing zone's data. Default: ``internal``."""
    budget_amount: float = 1000.0
    """Monthly budget in the billing currency. Default: ``1000``."""
    budget_emails: list[str] = field(default_factory=list)
    """Budget alert recipients. Default: none."""
    owners: list[OwnerSettings] = field(default_factory=list)
    """Principals given a role on the subscription (the landing zone's owners). Default: none."""


@dataclass(frozen=True, kw_only=True)
class Settings(CommonSettings):
    """The azure-landing-zone blueprint's configuration."""

    tenant_id: str
    """Entra ID tenant id (the tenant root group's id, Key Vault tenant). Required."""
    subscriptions: Subscriptions
    """Platform subscription ids (``management``, ``connectivity``, ``identity``). Required."""
    root_id: str | None = None
    """Id of the intermediate root management group. Default: the prefix."""
    root_parent_id: str | None = None
    """Parent of the intermediate root. Default: none (the tenant root group)."""
    location: str = DEFAULT_LOCATION
    """Primary location. Default: ``francecentral``."""
    allowed_locations: list[str] = field(default_factory=lambda: list(APPROVED_LOCATIONS))
    """Approved locations (residency profile), enforced by Azure Policy.
    Default: ``[francecentral, francesouth, spaincentral]``."""
    hub_cidr: str = "10.100.0.0/22"
    """Hub address space (/23 or larger). Default: ``10.100.0.0/22``."""
    spoke_pool: str = "10.101.0.0/16"
    """Pool the spokes without a ``cidr`` take their block from. Default: ``10.101.0.0/16``."""
    spoke_prefix_length: int = 24
    """Size of a spoke taken from the pool. Default: ``24``."""
    firewall_sku: FirewallSku = FirewallSku.STANDARD
    """Azure Firewall tier (Standard or Premium). Default: ``Standard``."""
    vpn_gateway: bool = False
    """Create a VPN gateway in the hub. Default: ``false``."""
    ddos_plan: bool = False
    """Create a DDoS Network Protection plan (about 2,944 USD a month). Default: ``false``."""
    dns_resolver: bool = False
    """Create a DNS private resolver in the hub. Default: ``false``."""
    log_retention_days: int = 90
    """Log Analytics retention (30-730 days). Default: ``90``."""
    log_daily_cap_gb: float | None = None
    """Log Analytics daily cap in GB (-1: none); refused with Sentinel. Default: ``5``, none with Sentinel."""
    platform_log_classification: DataClassification = DataClassification.INTERNAL
    """Classification of the platform logs. Default: ``internal``."""
    sentinel: bool = False
    """Onboard Microsoft Sentinel. Default: ``false``."""
    automation_account: bool = False
    """Create an Automation account. Default: ``false``."""
    alert_emails: list[str] = field(default_factory=list)
    """Platform action group recipients. Default: none."""
    policy_library: list[str] = field(default_factory=list)
    """Directories of your own policy library files (ALZ format), applied over Kasbah's in order;
    relative paths are from the project directory. Default: none."""
    policies: Mapping[str, PolicySwitch] = field(default_factory=dict)
    """Per-assignment overrides by assignment name (or ``<archetype>/<name>``): ``enabled``,
    ``enforcement``, ``parameters``, ``nonComplianceMessage``, ``notScopes``, ``remediation``.
    Default: the library as it stands."""
    exemptions: list[ExemptionSpec] = field(default_factory=list)
    """Policy exemptions (assignment, scope, reason, expires). Default: none."""
    network_watcher: NetworkWatcherMode = NetworkWatcherMode.EXISTING
    """``existing``: look up the regional Network Watcher Azure creates with a subscription's first
    VNet; ``create``: create it (subscriptions that opted out of that). Default: ``existing``."""
    landing_zones: list[LandingZoneSettings] = field(default_factory=list)
    """Landing zones (spokes). Default: none."""


@dataclass(frozen=True)
class Plan:
    """What validation computed: the spokes' address blocks and each subscription's placement."""

    spoke_cidrs: list[IPv4Network]
    placements: dict[str, Group]
    """Subscription id -> management group, in placement order."""


def validate(s: Settings) -> Plan:
    """Every cross-field rule, before any resource exists; ConfigError names the key(s)."""
    validate_prefix(s.prefix)
    root = s.root_id or s.prefix
    validate_management_group_id("kasbah:rootId", root)
    for g in Group:
        validate_management_group_id("kasbah:rootId", management_group_id(root, g.value))
    if s.root_parent_id is not None:
        validate_management_group_id("kasbah:rootParentId", s.root_parent_id)
    validate_guid("kasbah:tenantId", s.tenant_id, "tenant id")
    validate_locations("kasbah:allowedLocations", s.allowed_locations)
    validate_location("kasbah:location", s.location, s.allowed_locations, "kasbah:allowedLocations")
    private_dns_zones(s.location)
    management_args(s)
    lib = pl.load_library(s.policy_library)
    custom_roles = pl.custom_items(lib)[2]
    placements: dict[str, Group] = {}
    subs = s.subscriptions
    roles = [
        ("connectivity", subs.connectivity or subs.management, Group.CONNECTIVITY),
        ("management", subs.management, Group.MANAGEMENT),
        ("identity", subs.identity, Group.IDENTITY),
    ]
    for role, sub, group in roles:
        if sub is None:
            continue
        sid = validate_subscription_id(f"kasbah:subscriptions.{role}", sub)
        placements.setdefault(sid, group)
    hub = plan_hub("kasbah:hubCidr", s.hub_cidr, dns_resolver=True)
    names: set[str] = set()
    taken: dict[str, int] = {}
    for i, lz in enumerate(s.landing_zones):
        key = f"kasbah:landingZones[{i}]"
        if lz.name in names:
            raise ConfigError(
                f"{key}.name", f"landing zone {lz.name!r} is listed twice", "give each a unique name"
            )
        names.add(lz.name)
        if (lz.subscription_id is None) == (lz.billing_scope is None):
            raise ConfigError(
                f"{key}.subscriptionId and {key}.billingScope",
                "exactly one of them must be set",
                "set subscriptionId for an existing subscription, or billingScope to vend a new one",
            )
        if lz.subscription_id is not None:
            sid = validate_subscription_id(f"{key}.subscriptionId", lz.subscription_id)
            placements.setdefault(sid, Group.CORP if lz.archetype is Archetype.CORP else Group.ONLINE)
        for j, owner in enumerate(lz.owners):
            validate_guid(f"{key}.owners[{j}].principalId", owner.principal_id, "principal (object) id")
            if owner.role not in pl.ROLE_IDS and owner.role not in custom_roles:
                raise ConfigError(
                    f"{key}.owners[{j}].role",
                    f"{owner.role!r} is neither a built-in role Kasbah knows nor a custom role of the library",
                    f"use one of {sorted([*pl.ROLE_IDS, *custom_roles])}",
                )
        basis = unique_basis(s.prefix, lz.name, lz.subscription_id, lz.billing_scope)
        for what, physical in global_names(s.prefix, lz.name, s.location, basis).items():
            if physical in taken:
                raise ConfigError(
                    f"kasbah:landingZones[{taken[physical]}].name and {key}.name",
                    f"both give the {what} name {physical!r} (cut to Azure's length limit)",
                    "make the names differ in their first characters",
                )
            taken[physical] = i
    cidrs = allocate_spokes(
        "kasbah:hubCidr",
        hub.cidr,
        "kasbah:spokePool",
        s.spoke_pool,
        s.spoke_prefix_length,
        [SpokeRequest(f"kasbah:landingZones[{i}].cidr", lz.cidr) for i, lz in enumerate(s.landing_zones)],
    )
    if not s.spoke_pool or any(
        c.overlaps(hub.cidr) for c in cidrs
    ):  # pragma: no cover - allocate_spokes checks
        raise ConfigError("kasbah:spokePool and kasbah:hubCidr", "a spoke overlaps the hub", "move the pool")
    resolved = pl.resolve_groups(lib, root, s.policies, policy_defaults(s, PLACEHOLDERS))
    resolved += pl.resolve(lib, pl.SUBSCRIPTION_ARCHETYPE, None, root, s.policies, SUBSCRIPTION_PLACEHOLDERS)
    pl.validate_exemptions(s.exemptions, resolved)
    return Plan(cidrs, placements)


def management_args(s: Settings) -> ManagementArgs:
    """The Management component's inputs (validated here: a cap with Sentinel is refused)."""
    return ManagementArgs(
        subscription_id=s.subscriptions.management.lower(),
        common=s.common_args(),
        location=s.location,
        retention_days=s.log_retention_days,
        daily_cap_gb=s.log_daily_cap_gb,
        alert_emails=s.alert_emails,
        sentinel=s.sentinel,
        automation_account=s.automation_account,
        classification=s.platform_log_classification,
        flow_log_locations=[s.location],
    )


PLACEHOLDERS: dict[str, object] = {
    "log_analytics_workspace_id": "/subscriptions/0/resourceGroups/x/providers/Microsoft.OperationalInsights/workspaces/x",
    "ama_data_collection_rule_id": "/subscriptions/0/resourceGroups/x/providers/Microsoft.Insights/dataCollectionRules/x",
    "ama_user_assigned_managed_identity_id": "/subscriptions/0/resourceGroups/x/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x",
    "private_dns_zone_resource_group_id": "/subscriptions/0/resourceGroups/x",
}
"""Stand-ins for the default values only the deployment knows, for validation before it runs."""

SUBSCRIPTION_PLACEHOLDERS: dict[str, object] = {
    "backup_vault_location": "francecentral",
    "backup_policy_id": "/subscriptions/0/resourceGroups/x/providers/Microsoft.RecoveryServices/vaults/x/backupPolicies/x",
}


def connectivity_resource_group(s: Settings) -> str:
    return resource_name(Kind.RESOURCE_GROUP, s.prefix, "connectivity", location=s.location)


def policy_defaults(s: Settings, outputs: Mapping[str, object]) -> dict[str, object]:
    """The library's default values (policy_default_values.json) for this deployment; ``outputs``
    gives those only the deployment knows (workspace, rule, identity and DNS resource group ids)."""
    lib = pl.load_library(s.policy_library)
    excluded = lib.definition("kbh-require-tag-rg", False).parameters["excludedResourceGroups"].default
    export_rg = resource_name(Kind.RESOURCE_GROUP, s.prefix, "mdfc-export", location=s.location)
    values: dict[str, object] = {
        "allowed_locations": list(s.allowed_locations),
        "classification_tag": CLASSIFICATION_TAG,
        "classification_values": [c.value for c in DataClassification],
        "mdfc_export_resource_group_name": export_rg,
        "mdfc_export_resource_group_location": s.location,
        "private_dns_zone_subscription_id": (
            s.subscriptions.connectivity or s.subscriptions.management
        ).lower(),
        "private_dns_zone_resource_group_name": connectivity_resource_group(s),
        "private_dns_zone_region": s.location,
        "tag_excluded_resource_groups": [
            *list(excluded or []),
            restore_point_rg_pattern(s.prefix),
            export_rg,
        ],
        **outputs,
    }
    if s.alert_emails:
        values["security_contact_email"] = ";".join(s.alert_emails)
    return values


OUTPUTS: dict[str, str] = {
    "managementGroupRootId": "Id of the intermediate root management group.",
    "managementGroupIds": "Ids of the ALZ management groups, by role.",
    "logAnalyticsWorkspaceId": "Resource id of the platform Log Analytics workspace.",
    "hubVnetId": "Resource id of the hub virtual network.",
    "firewallPrivateIp": "Private IP of the hub firewall (the spokes' default route and DNS server).",
    "policyAssignments": "Names of the policy assignments created, by key.",
    "landingZones": "Per landing zone: subscription id, spoke address space, VNet and Key Vault ids.",
}
"""Each exported stack output and what it holds."""


def _doc_defaults() -> dict[str, object]:
    s = Settings(
        tenant_id="00000000-0000-0000-0000-000000000000",
        subscriptions=Subscriptions(management="00000000-0000-0000-0000-000000000000"),
        alert_emails=["soc@example.ma"],
    )
    return {**policy_defaults(s, PLACEHOLDERS), **SUBSCRIPTION_PLACEHOLDERS}


def _assignments_doc() -> str:
    from components.azure.policy_docs import assignments_table

    return assignments_table(pl.load_library(), _doc_defaults())


def _remediation_doc() -> str:
    from components.azure.policy_docs import remediation_table

    return remediation_table(pl.load_library(), _doc_defaults())


GENERATED_PARTS = {"policy-assignments": _assignments_doc, "policy-remediation": _remediation_doc}
"""README parts generated from the policy library (``kasbah docs``)."""
