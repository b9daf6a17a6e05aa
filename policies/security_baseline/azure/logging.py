"""Logging and monitoring rules for Azure: audit trails, flow logs, configuration recording.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import Policy, Severity, StackValidationArgs

from policies.framework import (
    Res,
    Undecided,
    cis_azure,
    dnssi,
    is_true,
    lower,
    mcsb,
    meta,
    present,
    related,
    srule,
    stack_resources,
)
from policies.security_baseline.azure.tokens import (
    AKS,
    APP_GATEWAY,
    COSMOS,
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
            state = lower(pol.props.get("state"), f"{pol.urn} state")
            if state != "enabled":
                continue
            if not (
                is_true(
                    pol.props.get("isAzureMonitorTargetEnabled") or False,
                    f"{pol.urn} isAzureMonitorTargetEnabled",
                )
                or present(pol.props.get("storageEndpoint"))
            ):
                continue
            audited.update(t.urn for t in targets)
    for server in servers:
        if server.urn in audited:
            continue
        if undecided:
            raise Undecided(f"the server of auditing policy {undecided[0].urn} (for {server.urn})")
        fail("the SQL server has no enabled auditing policy (to Log Analytics or storage).", server)


AZURE_SQL_AUDITING = srule(
    meta(
        "azure-sql-auditing-enabled",
        MEDIUM,
        "Every Azure SQL server has server-level auditing enabled, sent to Azure Monitor or storage.",
        'Add `sql.ServerBlobAuditingPolicy(server_name=server.name, state="Enabled", '
        "is_azure_monitor_target_enabled=True)` and a diagnostic setting on the master database to Log "
        "Analytics.",
        [cis_azure("4.1.1"), mcsb("LT-3"), dnssi("Logging and monitoring")],
    ),
    _sql_auditing,
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
)


POLICIES: list[Policy] = [
    AZURE_SQL_AUDITING,
    AZURE_ACTIVITY_LOG,
    AZURE_DIAGNOSTICS,
]
"""This domain's policies, in catalogue order."""
