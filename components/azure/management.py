"""Management: Log Analytics, the Azure Monitor agent's data collection rule, action group,
activity-log diagnostic settings, optional Sentinel and Automation account."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import automation, monitor, operationalinsights, resources, securityinsights

from components.azure.naming import Kind, resource_name
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
    daily_cap_gb: float = 5.0
    """Log Analytics daily ingestion cap in GB (``-1`` for none). Default: ``5``."""
    alert_emails: Sequence[str] = ()
    """Email receivers of the platform action group. Default: none."""
    sentinel: bool = False
    """Onboard Microsoft Sentinel on the workspace. Default: ``false``."""
    automation_account: bool = False
    """Create an Automation account linked to the workspace. Default: ``false``."""
    classification: DataClassification = DataClassification.INTERNAL
    """Classification of the platform logs. Default: ``internal``."""

    def __post_init__(self) -> None:
        validate_subscription_id("kasbah:subscriptions.management", self.subscription_id)
        if not 30 <= self.retention_days <= 730:
            raise ConfigError(
                "kasbah:logRetentionDays", f"{self.retention_days} is outside 30-730 days", "choose 30 to 730"
            )
        if self.daily_cap_gb != -1 and self.daily_cap_gb <= 0:
            raise ConfigError(
                "kasbah:logDailyCapGb", f"{self.daily_cap_gb} is not a positive cap", "use -1 or > 0"
            )
        for i, mail in enumerate(self.alert_emails):
            if "@" not in mail:
                raise ConfigError(
                    f"kasbah:alertEmails[{i}]", f"{mail!r} is not an email address", "fix the address"
                )


class Management(pulumi.ComponentResource):
    """The platform's monitoring: workspace, DCR, action group, activity logs, Sentinel, Automation."""

    def __init__(
        self,
        name: str,
        args: ManagementArgs,
        provider: pulumi.ProviderResource | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("kasbah:azure:Management", name, None, opts)
        c = args.common
        loc = args.location
        sub = args.subscription_id
        data_tags = layer_tags(c.tags, classification_tags(args.classification))
        child = pulumi.ResourceOptions(parent=self, provider=provider)
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
            workspace_capping=operationalinsights.WorkspaceCappingArgs(daily_quota_gb=args.daily_cap_gb),
            tags=data_tags,
            opts=stateful,
        )
        self.workspace_resource_id = f"/subscriptions/{sub}/resourceGroups/{rg_name}/providers/Microsoft.OperationalInsights/workspaces/{ws_name}"
        self.data_collection_rule = monitor.DataCollectionRule(
            child_name(name, "dcr"),
            data_collection_rule_name=resource_name(
                Kind.DATA_COLLECTION_RULE, c.prefix, "vm-insights", location=loc
            ),
            resource_group_name=self.resource_group.name,
            location=loc,
            kind="Windows",
            description="Azure Monitor agent: performance counters, Windows events and syslog to Log Analytics.",
            data_sources=monitor.DataCollectionRuleDataSourcesArgs(
                performance_counters=[
                    monitor.PerfCounterDataSourceArgs(
                        name="perf",
                        streams=["Microsoft-Perf"],
                        sampling_frequency_in_seconds=60,
                        counter_specifiers=[
                            "\\Processor(_Total)\\% Processor Time",
                            "\\Memory\\Available Bytes",
                            "\\LogicalDisk(_Total)\\% Free Space",
                        ],
                    )
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
                    streams=["Microsoft-Perf", "Microsoft-Event", "Microsoft-Syslog"],
                    destinations=["platform"],
                )
            ],
            tags=data_tags,
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
            operationalinsights.LinkedService(
                child_name(name, "aa-link"),
                resource_group_name=self.resource_group.name,
                workspace_name=self.workspace.name,
                linked_service_name="Automation",
                resource_id=self.automation.id,
                opts=child,
            )
        self.workspace_id = self.workspace.id
        self.register_outputs(
            {
                "workspaceId": self.workspace.id,
                "workspaceName": self.workspace.name,
                "actionGroupId": self.action_group.id,
                "dataCollectionRuleId": self.data_collection_rule.id,
            }
        )
