"""Logging and monitoring rules for Azure: audit trails, flow logs, configuration recording.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from pulumi_policy import Policy, Severity, StackValidationArgs

from kasbah.facts import ACTIVITY_LOG_ALERT_OPERATIONS
from policies.framework import (
    Ctx,
    Res,
    Undecided,
    cis_azure,
    dnssi,
    get,
    is_true,
    items,
    lower,
    mcsb,
    meta,
    need,
    present,
    related,
    rule,
    srule,
    stack_resources,
    with_props,
)
from policies.framework.settings import equals, require, value_at
from policies.security_baseline.azure.tokens import (
    ACTIVITY_LOG_ALERT,
    AKS,
    APP_GATEWAY,
    COSMOS,
    DEFENDER_PRICING,
    DIAGNOSTIC_SETTINGS,
    FIREWALL,
    KEY_VAULT,
    MYSQL,
    NSG,
    POSTGRES,
    SQL_AUDITING,
    SQL_DATABASE,
    SQL_SERVER,
    STORAGE_ACCOUNT,
    SUBSCRIPTION_DIAGNOSTIC_SETTINGS,
)

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


def _sql_auditing(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    found = stack_resources(args, [SQL_SERVER, *SQL_AUDITING])
    servers = found[SQL_SERVER]
    audited: set[str] = set()
    undecided: list[Res] = []
    for kind in SQL_AUDITING:
        for pol in found[kind]:
            targets = related(pol, "serverName", servers, name_prop="serverName")
            if targets is None:
                undecided.append(pol)
                continue
            # A policy that is off or sends nowhere is reported on itself (azure-sql-auditing-policy-enabled).
            audited.update(t.urn for t in targets)
    for server in servers:
        if server.urn in audited:
            continue
        if undecided:
            raise Undecided(f"the server of auditing policy {undecided[0].urn} (for {server.urn})")
        fail("the SQL server has no server-level auditing policy.", server)


AZURE_SQL_AUDITING = srule(
    meta(
        "azure-sql-auditing-enabled",
        MEDIUM,
        "Every Azure SQL server has a server-level auditing policy (related through its server name "
        "dependency); a policy that is off is reported on the policy by azure-sql-auditing-policy-enabled.",
        'Add `sql.ServerBlobAuditingPolicy(server_name=server.name, state="Enabled", '
        "is_azure_monitor_target_enabled=True)` and a diagnostic setting on the master database to Log "
        "Analytics.",
        [cis_azure("4.1.1"), mcsb("LT-3"), dnssi("Logging and monitoring")],
    ),
    _sql_auditing,
    types=[SQL_SERVER, *SQL_AUDITING],
)


def _activity_log(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    if not any(r.resource_type.startswith("azure-native:") for r in args.resources):
        return
    found = stack_resources(args, SUBSCRIPTION_DIAGNOSTIC_SETTINGS)
    for kind in SUBSCRIPTION_DIAGNOSTIC_SETTINGS:
        for s in found[kind]:
            if present(s.props.get("workspaceId")):
                return
    fail("the stack sends no subscription activity log to a Log Analytics workspace.", None)


AZURE_ACTIVITY_LOG = srule(
    meta(
        "azure-subscription-activity-log-exported",
        MEDIUM,
        "The landing-zone stack exports the subscription activity log to Log Analytics (a subscription "
        "diagnostic setting with a workspace).",
        "Declare `monitor.SubscriptionDiagnosticSetting(workspace_id=workspace.id, logs=[...])`. A workload "
        "stack whose subscription is covered by the landing zone disables it in `stacks/<stack>.policy.json`.",
        [mcsb("LT-3"), mcsb("LT-5"), dnssi("Logging and monitoring")],
    ),
    _activity_log,
    types=None,  # does the stack manage Azure at all?
)


DIAGNOSABLE = (
    KEY_VAULT,
    NSG,
    *COSMOS,
    AKS,
    FIREWALL,
    APP_GATEWAY,
    SQL_DATABASE,
    POSTGRES,
    MYSQL,
    STORAGE_ACCOUNT,
)


def _diagnostics(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    found = stack_resources(args, [*DIAGNOSABLE, *DIAGNOSTIC_SETTINGS])
    targets = [r for t in DIAGNOSABLE for r in found[t]]
    covered: set[str] = set()
    undecided: list[Res] = []
    for kind in DIAGNOSTIC_SETTINGS:
        for s in found[kind]:
            rel = related(s, "resourceUri", targets)
            if rel is None:
                undecided.append(s)
                continue
            if present(s.props.get("workspaceId")):
                covered.update(t.urn for t in rel)
    for t in targets:
        if t.urn in covered:
            continue
        if undecided:
            raise Undecided(f"the resource of diagnostic setting {undecided[0].urn} (for {t.urn})")
        fail("the resource sends no diagnostics to a Log Analytics workspace.", t)


AZURE_DIAGNOSTICS = srule(
    meta(
        "azure-resource-diagnostics-to-log-analytics",
        MEDIUM,
        "Key Vaults, NSGs, Cosmos DB, AKS, firewalls, application gateways, SQL databases, flexible servers "
        "and storage accounts each have a diagnostic setting (related through its resource_uri dependency) "
        "that sends to a Log Analytics workspace.",
        "Add `monitor.DiagnosticSetting(resource_uri=resource.id, workspace_id=workspace.id, "
        'logs=[{"category_group": "allLogs", "enabled": True}])` (storage: on `<account id>/blobServices/default`).',
        [cis_azure("5.4"), cis_azure("5.1.5"), mcsb("LT-3"), dnssi("Logging and monitoring")],
    ),
    _diagnostics,
    types=[*DIAGNOSABLE, *DIAGNOSTIC_SETTINGS],
)


def _auditing_policy(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if lower(p.get("state"), "state") != "enabled":
        yield f"the auditing policy is written but off (state {p.get('state')})."
        return
    monitor = is_true(p.get("isAzureMonitorTargetEnabled") or False, "isAzureMonitorTargetEnabled")
    if not monitor and not present(p.get("storageEndpoint")):
        yield "the auditing policy sends its records nowhere (no Azure Monitor target, no storage endpoint)."


AZURE_SQL_AUDITING_POLICY = rule(
    meta(
        "azure-sql-auditing-policy-enabled",
        HIGH,
        "SQL server auditing policies are enabled and send to Azure Monitor (Log Analytics) or storage.",
        'Set `state="Enabled"` and `is_azure_monitor_target_enabled=True` (plus a diagnostic setting on the master '
        "database), or a `storage_endpoint`.",
        [cis_azure("4.1.1"), mcsb("LT-3"), dnssi("Logging and monitoring")],
    ),
    {t: with_props(_auditing_policy) for t in SQL_AUDITING},
)


def _alert_operations(res: Res) -> set[str]:
    """The operations an Administrative activity-log alert names (one written off is reported on itself)."""
    leaves = items(get(res.props, "condition", "allOf"), f"{res.urn} condition.allOf")
    category = ""
    operations: set[str] = set()
    for i, leaf in enumerate(leaves):
        field = lower(get(leaf, "field"), f"{res.urn} condition.allOf[{i}].field")
        if field == "category":
            category = lower(get(leaf, "equals"), f"{res.urn} condition.allOf[{i}].equals")
        elif field == "operationname":
            operations.add(lower(get(leaf, "equals"), f"{res.urn} condition.allOf[{i}].equals"))
        for j, alt in enumerate(items(get(leaf, "anyOf"), f"{res.urn} condition.allOf[{i}].anyOf")):
            if lower(get(alt, "field"), f"{res.urn} anyOf[{j}].field") == "operationname":
                operations.add(lower(get(alt, "equals"), f"{res.urn} anyOf[{j}].equals"))
    return operations if category in ("", "administrative") else set()


def _activity_alerts(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    found = stack_resources(args, [ACTIVITY_LOG_ALERT, *SUBSCRIPTION_DIAGNOSTIC_SETTINGS])
    if not any(found[k] for k in SUBSCRIPTION_DIAGNOSTIC_SETTINGS):
        return  # a workload stack: the landing zone that exports the activity log carries the alerts
    covered: set[str] = set()
    for alert in found[ACTIVITY_LOG_ALERT]:
        covered |= _alert_operations(alert)
    missing = [op for op in ACTIVITY_LOG_ALERT_OPERATIONS if op.lower() not in covered]
    if missing:
        fail(f"no activity-log alert for: {', '.join(missing)}.", None)


AZURE_ACTIVITY_LOG_ALERTS = srule(
    meta(
        "azure-activity-log-alerts-present",
        MEDIUM,
        "The stack that exports the subscription activity log also alerts on the operations CIS lists "
        "(policy assignments, NSGs, security solutions, SQL firewall rules, public IPs: create and delete), one "
        "Administrative alert per operation; an alert written off is reported on itself "
        "(azure-activity-log-alert-enabled).",
        '`monitor.ActivityLogAlert(scopes=[subscription], condition={"all_of": [{"field": "category", "equals": '
        '"Administrative"}, {"field": "operationName", "equals": <operation>}]}, actions={"action_groups": '
        "[...]})` for each operation of `kasbah.facts.ACTIVITY_LOG_ALERT_OPERATIONS` (the Azure landing zone's "
        "Management component creates them).",
        [
            cis_azure("5.2.1"),
            cis_azure("5.2.2"),
            cis_azure("5.2.3"),
            cis_azure("5.2.4"),
            cis_azure("5.2.5"),
            cis_azure("5.2.6"),
            cis_azure("5.2.7"),
            cis_azure("5.2.8"),
            mcsb("LT-3"),
        ],
    ),
    _activity_alerts,
    types=[ACTIVITY_LOG_ALERT, *SUBSCRIPTION_DIAGNOSTIC_SETTINGS],
)


AZURE_ACTIVITY_LOG_ALERT_ENABLED = rule(
    meta(
        "azure-activity-log-alert-enabled",
        MEDIUM,
        "Activity-log alerts are not written switched off.",
        "Remove `enabled=False` from the `monitor.ActivityLogAlert` (or remove the alert).",
        [mcsb("LT-3"), dnssi("Logging and monitoring")],
    ),
    {
        ACTIVITY_LOG_ALERT: require(
            "enabled", equals(True), "the activity-log alert is written but disabled.", default=True
        )
    },
)


def _pricing(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    tier = lower(p.get("pricingTier"), "pricingTier")
    if tier == "free":
        yield f"the Defender for Cloud plan {p.get('pricingName')} is set to Free (switched off)."


AZURE_DEFENDER_PLAN_ON = rule(
    meta(
        "azure-defender-plan-on",
        HIGH,
        "Defender for Cloud plans written in the stack are on (Standard), not Free.",
        'Set `pricing_tier="Standard"` on the `security.Pricing` (servers, App Service, databases, storage, '
        "containers, Key Vault, Resource Manager...).",
        [
            cis_azure("2.1.1"),
            cis_azure("2.1.2"),
            cis_azure("2.1.3"),
            cis_azure("2.1.4"),
            cis_azure("2.1.5"),
            cis_azure("2.1.6"),
            cis_azure("2.1.7"),
            cis_azure("2.1.8"),
            cis_azure("2.1.9"),
            cis_azure("2.1.10"),
            cis_azure("2.1.12"),
            mcsb("LT-1"),
        ],
    ),
    {DEFENDER_PRICING: with_props(_pricing)},
)


AZURE_AKS_DEFENDER = rule(
    meta(
        "azure-aks-defender-profile",
        MEDIUM,
        "AKS clusters run the Defender for Containers sensor (security profile), sending to Log Analytics.",
        'Set `security_profile={"defender": {"log_analytics_workspace_resource_id": workspace.id, '
        '"security_monitoring": {"enabled": True}}}`.',
        [mcsb("LT-1"), dnssi("Logging and monitoring")],
    ),
    {
        AKS: require(
            "securityProfile.defender.securityMonitoring.enabled",
            equals(True),
            "the cluster has no Defender sensor (securityProfile.defender.securityMonitoring.enabled is {value}).",
        )
    },
)


def _aks_policy_addon(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    addons = p.get("addonProfiles")
    need(addons, "addonProfiles")
    entry = None
    if isinstance(addons, dict):
        for name, value in addons.items():
            if str(name).lower() == "azurepolicy":
                entry = value
    if entry is None or not is_true(value_at(entry, "enabled"), "addonProfiles.azurepolicy.enabled"):
        yield "the Azure Policy add-on is not enabled: pod security policies of the landing zone are not enforced."


AZURE_AKS_POLICY_ADDON = rule(
    meta(
        "azure-aks-azure-policy-addon",
        MEDIUM,
        "AKS clusters run the Azure Policy add-on, so the landing zone's Kubernetes policies are enforced.",
        'Set `addon_profiles={"azurepolicy": {"enabled": True}}`.',
        [mcsb("PV-2"), dnssi("Access control")],
    ),
    {AKS: with_props(_aks_policy_addon)},
)


POLICIES: list[Policy] = [
    AZURE_SQL_AUDITING,
    AZURE_ACTIVITY_LOG,
    AZURE_DIAGNOSTICS,
    AZURE_SQL_AUDITING_POLICY,
    AZURE_ACTIVITY_LOG_ALERTS,
    AZURE_ACTIVITY_LOG_ALERT_ENABLED,
    AZURE_DEFENDER_PLAN_ON,
    AZURE_AKS_DEFENDER,
    AZURE_AKS_POLICY_ADDON,
]
"""This domain's policies, in catalogue order."""
