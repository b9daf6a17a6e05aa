"""Diagnostic settings to the platform Log Analytics workspace (explicit, besides the DeployIfNotExists policy).

https://learn.microsoft.com/azure/azure-monitor/essentials/diagnostic-settings: the ``allLogs`` category
group, ``AllMetrics`` only where the type has metrics (NSGs have none), storage accounts' logs on their
services (``<account>/blobServices/default``), one setting per destination and category.
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import monitor

SETTING_NAME = "to-log-analytics"
"""Name of every diagnostic setting Kasbah creates (the DeployIfNotExists policy's existence check is
on the workspace, so the policy finds these compliant)."""


def send_to_workspace(
    name: str,
    resource_uri: pulumi.Input[str],
    workspace_id: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
    *,
    logs: bool = True,
    metrics: bool = True,
) -> monitor.DiagnosticSetting:
    """All logs (category group ``allLogs``) and all metrics of ``resource_uri`` to the workspace."""
    return monitor.DiagnosticSetting(
        name,
        name=SETTING_NAME,
        resource_uri=resource_uri,
        workspace_id=workspace_id,
        log_analytics_destination_type="Dedicated",
        logs=[monitor.DiagnosticsLogSettingsArgs(category_group="allLogs", enabled=True)] if logs else None,
        metrics=[monitor.DiagnosticsMetricSettingsArgs(category="AllMetrics", enabled=True)]
        if metrics
        else None,
        opts=opts,
    )
