"""Management: Log Analytics, the Azure Monitor agent's data collection rule and identity, action group,
activity-log diagnostic settings, the flow-log storage accounts, optional Sentinel and Automation account.

Microsoft documentation relied on:
- workspace: https://learn.microsoft.com/azure/azure-monitor/logs/log-analytics-workspace-overview
  (PerGB2018, retention 30-730 days interactive);
- action group: https://learn.microsoft.com/azure/azure-monitor/alerts/action-groups (location global,
  short name up to 12 characters, common alert schema);
- Sentinel onboarding: https://learn.microsoft.com/rest/api/securityinsights/sentinel-onboarding-states
  (one state named ``default`` per workspace);
- user-assigned identity: https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-manage-user-assigned-managed-identities;
- workspace daily cap: https://learn.microsoft.com/azure/azure-monitor/logs/daily-cap (data above the
  cap is dropped; Microsoft recommends no cap on a Sentinel workspace, whose security data would be lost);
- data collection rule: https://learn.microsoft.com/azure/azure-monitor/essentials/data-collection-rule-structure
  (a rule without ``kind`` serves Windows and Linux machines; the VM insights stream
  ``Microsoft-InsightsMetrics`` with ``\\VmInsights\\DetailedMetrics``, as ALZ's dataCollectionRule-VmInsights.json);
  machines are associated with it by the Deploy-VM-Monitoring / Deploy-VMSS-Monitoring assignments
  (https://learn.microsoft.com/azure/azure-monitor/vm/vminsights-enable-policy), which install the agent with
  the user-assigned identity created here;
- activity log: https://learn.microsoft.com/azure/azure-monitor/essentials/activity-log (subscription
  diagnostic setting, every category);
- flow-log storage: https://learn.microsoft.com/azure/network-watcher/vnet-flow-logs-overview#storage-account
  (same region as the virtual network; another subscription of the same tenant is allowed), trusted
  services: https://learn.microsoft.com/azure/storage/common/storage-network-security#trusted-access-for-resources-registered-in-your-subscription;
- Automation: https://learn.microsoft.com/azure/automation/how-to/private-link-security (private endpoints
  for Webhook and DSCAndHybridWorker, zone privatelink.azure-automation.net); the Log Analytics linked
  service fed Update Management and Change Tracking, retired on 31 August 2024
  (https://learn.microsoft.com/azure/automation/update-management/overview): not created.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import (
    automation,
    managedidentity,
    monitor,
    operationalinsights,
    resources,
    securityinsights,
    storage,
)

from components.azure.connectivity import HubRef
from components.azure.diagnostics import send_to_workspace
from components.azure.naming import Kind, location_code, resource_name
from components.azure.network_data import AUTOMATION_DNS_ZONE
from components.azure.private_endpoints import private_endpoint
from components.azure.validation import DEFAULT_LOCATION, validate_subscription_id
from components.common import CommonArgs, DataClassification, child_name, classification_tags, layer_tags
from components.errors import ConfigError

ACTIVITY_LOG_CATEGORIES: tuple[str, ...] = (
    "Administrative",
    "Security",
    "ServiceHealth",
    "Alert",
    "Recommendation",
    "Policy",
    "Autoscale",
    "ResourceHealth",
)
"""Every category of the subscription activity log."""


@dataclass(frozen=True)
class ManagementArgs:
    """Inputs of :class:`Management`."""

    subscription_id: str
    """Management subscription id (used for its activity log and resource ids). Required."""
    common: CommonArgs = field(default_factory=CommonArgs)
    """Shared inputs. Default: ``CommonArgs()``."""
    location: str = DEFAULT_LOCATION
    """Location of the workspace. Default: ``francecentral``."""
    retention_days: int = 90
    """Log Analytics retention, 30-730 days. Default: ``90``."""
    daily_cap_gb: float | None = None
    """Log Analytics daily ingestion cap in GB (``-1`` for none). Default: none with Sentinel (a
    capped Sentinel workspace drops security data), ``5`` without."""
    alert_emails: Sequence[str] = ()
    """Email receivers of the platform action group. Default: none."""
    sentinel: bool = False
    """Onboard Microsoft Sentinel on the workspace. Default: ``false``."""
    automation_account: bool = False
    """Create an Automation account linked to the workspace. Default: ``false``."""
    classification: DataClassification = DataClassification.INTERNAL
    """Classification of the platform logs. Default: ``internal``."""
    flow_log_locations: Sequence[str] = ()
    """Regions whose VNet flow logs land here: one storage account each. Default: none."""
    flow_log_retention_days: int = 90
    """Days the flow-log storage accounts keep flow logs (a lifecycle rule). Default: ``90``."""

    def __post_init__(self) -> None:
        validate_subscription_id("kasbah:subscriptions.management", self.subscription_id)
        if not 30 <= self.retention_days <= 730:
            raise ConfigError(
                "kasbah:logRetentionDays", f"{self.retention_days} is outside 30-730 days", "choose 30 to 730"
            )
        if self.daily_cap_gb is not None and self.daily_cap_gb != -1 and self.daily_cap_gb <= 0:
            raise ConfigError(
                "kasbah:logDailyCapGb", f"{self.daily_cap_gb} is not a positive cap", "use -1 or > 0"
            )
        if self.sentinel and self.daily_cap_gb not in (None, -1):
            raise ConfigError(
                "kasbah:logDailyCapGb and kasbah:sentinel",
                f"a {self.daily_cap_gb} GB daily cap on the Sentinel workspace drops security data once reached",
                "remove kasbah:logDailyCapGb (or set -1); bound cost with a commitment tier or table plans",
            )
        for i, mail in enumerate(self.alert_emails):
            if "@" not in mail:
                raise ConfigError(
                    f"kasbah:alertEmails[{i}]", f"{mail!r} is not an email address", "fix the address"
                )

    @property
    def cap_gb(self) -> float:
        """The daily cap applied: the configured one, else none with Sentinel and 5 GB without."""
        if self.daily_cap_gb is not None:
            return self.daily_cap_gb
        return -1 if self.sentinel else 5.0


class Management(pulumi.ComponentResource):
    """The platform's monitoring: workspace, DCR and agent identity, action group, activity logs,
    flow-log storage, Sentinel, Automation."""

    def __init__(
        self,
        name: str,
        args: ManagementArgs,
        provider: pulumi.ProviderResource | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("kasbah:azure:Management", name, None, opts)
        self._name = name
        self._args = args
        c = args.common
        loc = args.location
        sub = args.subscription_id
        data_tags = layer_tags(c.tags, classification_tags(args.classification))
        self._data_tags = data_tags
        log_tags = layer_tags(c.tags, classification_tags(DataClassification.INTERNAL))
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        self._child = child
        stateful = pulumi.ResourceOptions(parent=self, provider=provider, protect=c.protect)
        rg_name = resource_name(Kind.RESOURCE_GROUP, c.prefix, "management", location=loc)
        self.resource_group = resources.ResourceGroup(
            child_name(name, "rg"), resource_group_name=rg_name, location=loc, tags=data_tags, opts=child
        )
        ws_name = resource_name(Kind.LOG_ANALYTICS, c.prefix, "platform", location=loc)
        self.workspace = operationalinsights.Workspace(
            child_name(name, "log"),
            workspace_name=ws_name,
            resource_group_name=self.resource_group.name,
            location=loc,
            sku=operationalinsights.WorkspaceSkuArgs(name="PerGB2018"),
            retention_in_days=args.retention_days,
            workspace_capping=operationalinsights.WorkspaceCappingArgs(daily_quota_gb=args.cap_gb),
            tags=data_tags,
            opts=stateful,
        )
        self.workspace_resource_id = f"/subscriptions/{sub}/resourceGroups/{rg_name}/providers/Microsoft.OperationalInsights/workspaces/{ws_name}"
        # One rule for Windows and Linux machines (no kind): VM insights metrics, performance
        # counters, Windows events and syslog; the agent ignores the sources of the other OS.
        self.data_collection_rule = monitor.DataCollectionRule(
            child_name(name, "dcr"),
            data_collection_rule_name=resource_name(
                Kind.DATA_COLLECTION_RULE, c.prefix, "vm-insights", location=loc
            ),
            resource_group_name=self.resource_group.name,
            location=loc,
            description="Azure Monitor agent on Windows and Linux: VM insights metrics, performance counters, "
            "Windows events and syslog to Log Analytics.",
            data_sources=monitor.DataCollectionRuleDataSourcesArgs(
                performance_counters=[
                    monitor.PerfCounterDataSourceArgs(
                        name="vm-insights",
                        streams=["Microsoft-InsightsMetrics"],
                        sampling_frequency_in_seconds=60,
                        counter_specifiers=["\\VmInsights\\DetailedMetrics"],
                    ),
                    monitor.PerfCounterDataSourceArgs(
                        name="perf",
                        streams=["Microsoft-Perf"],
                        sampling_frequency_in_seconds=60,
                        counter_specifiers=[
                            "\\Processor(_Total)\\% Processor Time",
                            "\\Memory\\Available Bytes",
                            "\\LogicalDisk(_Total)\\% Free Space",
                        ],
                    ),
                ],
                windows_event_logs=[
                    monitor.WindowsEventLogDataSourceArgs(
                        name="events",
                        streams=["Microsoft-Event"],
                        x_path_queries=["System!*[System[(Level=1 or Level=2 or Level=3)]]", "Security!*"],
                    )
                ],
                syslog=[
                    monitor.SyslogDataSourceArgs(
                        name="syslog",
                        streams=["Microsoft-Syslog"],
                        facility_names=["auth", "authpriv", "daemon", "kern", "syslog"],
                        log_levels=["Warning", "Error", "Critical", "Alert", "Emergency"],
                    )
                ],
            ),
            destinations=monitor.DataCollectionRuleDestinationsArgs(
                log_analytics=[
                    monitor.LogAnalyticsDestinationArgs(
                        name="platform", workspace_resource_id=self.workspace.id
                    )
                ]
            ),
            data_flows=[
                monitor.DataFlowArgs(
                    streams=[
                        "Microsoft-InsightsMetrics",
                        "Microsoft-Perf",
                        "Microsoft-Event",
                        "Microsoft-Syslog",
                    ],
                    destinations=["platform"],
                )
            ],
            tags=data_tags,
            opts=child,
        )
        # The identity the Azure Monitor agent runs as on every machine (ALZ's id-ama).
        self.agent_identity = managedidentity.UserAssignedIdentity(
            child_name(name, "id", "ama"),
            resource_name_=resource_name(Kind.MANAGED_IDENTITY, c.prefix, "ama", location=loc),
            resource_group_name=self.resource_group.name,
            location=loc,
            tags=c.tags,
            opts=child,
        )
        self.action_group = monitor.ActionGroup(
            child_name(name, "ag"),
            action_group_name=resource_name(Kind.ACTION_GROUP, c.prefix, "platform"),
            resource_group_name=self.resource_group.name,
            location="global",
            group_short_name=f"{c.prefix}-plat"[:12],
            enabled=True,
            email_receivers=[
                monitor.MicrosoftCommonEmailReceiverArgs(
                    name=f"email-{i}", email_address=mail, use_common_alert_schema=True
                )
                for i, mail in enumerate(args.alert_emails)
            ],
            tags=c.tags,
            opts=child,
        )
        # The management subscription's own activity log (the Deploy-AzActivity-Log assignment does
        # the same in every subscription; this one exists from the first deployment).
        self.activity_log = monitor.SubscriptionDiagnosticSetting(
            child_name(name, "activity-log"),
            name="to-log-analytics",
            workspace_id=self.workspace.id,
            logs=[
                monitor.SubscriptionLogSettingsArgs(category=cat, enabled=True)
                for cat in ACTIVITY_LOG_CATEGORIES
            ],
            opts=child,
        )
        # Flow-log storage, one account per region, in the platform (Corp's Deny-Public-Endpoints
        # would refuse an account that trusted services must reach through its public endpoint).
        self.flow_log_storage: dict[str, storage.StorageAccount] = {}
        for region in args.flow_log_locations:
            account = storage.StorageAccount(
                child_name(name, "st", "flowlogs", location_code(region)),
                account_name=flow_log_account_name(c.prefix, region, sub),
                resource_group_name=self.resource_group.name,
                location=region,
                kind="StorageV2",
                sku=storage.SkuArgs(name="Standard_ZRS"),
                enable_https_traffic_only=True,
                minimum_tls_version="TLS1_2",
                allow_blob_public_access=False,
                allow_cross_tenant_replication=False,
                # Network Watcher writes as a trusted Microsoft service: that bypass needs the public
                # endpoint enabled behind a deny-by-default firewall (it does not apply when disabled).
                public_network_access="Enabled",
                network_rule_set=storage.NetworkRuleSetArgs(
                    default_action=storage.DefaultAction.DENY, bypass="AzureServices"
                ),
                tags=log_tags,
                opts=stateful,
            )
            self.flow_log_storage[region] = account
            send_to_workspace(
                child_name(name, "diag", "st-flowlogs", location_code(region)),
                pulumi.Output.concat(account.id, "/blobServices/default"),
                self.workspace.id,
                child,
            )
        self.sentinel: securityinsights.SentinelOnboardingState | None = None
        if args.sentinel:
            self.sentinel = securityinsights.SentinelOnboardingState(
                child_name(name, "sentinel"),
                resource_group_name=self.resource_group.name,
                workspace_name=self.workspace.name,
                sentinel_onboarding_state_name="default",
                opts=child,
            )
        self.automation: automation.AutomationAccount | None = None
        if args.automation_account:
            self.automation = automation.AutomationAccount(
                child_name(name, "aa"),
                automation_account_name=resource_name(Kind.AUTOMATION, c.prefix, "platform", location=loc),
                resource_group_name=self.resource_group.name,
                location=loc,
                sku=automation.SkuArgs(name="Basic"),
                disable_local_auth=True,
                public_network_access=False,
                identity=automation.IdentityArgs(type=automation.ResourceIdentityType.SYSTEM_ASSIGNED),
                tags=data_tags,
                opts=child,
            )
            send_to_workspace(child_name(name, "diag", "aa"), self.automation.id, self.workspace.id, child)
        self.automation_endpoints: list[pulumi.Resource] = []
        self.workspace_id = self.workspace.id
        self.register_outputs(
            {
                "workspaceId": self.workspace.id,
                "workspaceName": self.workspace.name,
                "actionGroupId": self.action_group.id,
                "dataCollectionRuleId": self.data_collection_rule.id,
                "agentIdentityId": self.agent_identity.id,
            }
        )

    def connect(self, hub: HubRef) -> None:
        """Private endpoints of the Automation account in the hub's management subnet (its public
        access is disabled: without them, hybrid workers and webhooks cannot reach it). An endpoint
        lives in its virtual network's subscription and region, so in the hub's resource group."""
        if self.automation is None:
            return
        c = self._args.common
        zone = hub.dns_zone_ids.get(AUTOMATION_DNS_ZONE)
        for group in ("Webhook", "DSCAndHybridWorker"):
            self.automation_endpoints.append(
                private_endpoint(
                    child_name(self._name, "pep", "aa", group.lower()),
                    endpoint_name=resource_name(
                        Kind.PRIVATE_ENDPOINT, c.prefix, "aa", group.lower(), location=hub.location
                    ),
                    resource_group_name=hub.resource_group,
                    location=hub.location,
                    subnet_id=hub.management_subnet_id,
                    target_id=self.automation.id,
                    group_id=group,
                    zones={"automation": zone} if zone is not None else {},
                    tags=c.tags,
                    opts=pulumi.ResourceOptions(parent=self, provider=hub.provider),
                )
            )


def flow_log_account_name(prefix: str, region: str, subscription_id: str) -> str:
    """The flow-log storage account of ``region`` (globally unique: hashed with the subscription)."""
    return resource_name(Kind.STORAGE_ACCOUNT, prefix, "fl", location_code(region), unique_by=subscription_id)
