"""Logging rules for vSphere: VMs keep their diagnostic log (vSphere Security Configuration Guide 8).

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Policy, Severity

from policies.framework import Ctx, dnssi, is_true, meta, rule, vsphere_scg, with_props
from policies.security_baseline.vsphere.tokens import VM

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


def _logging(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if not is_true(p.get("enableLogging"), "enableLogging"):
        yield "the VM's diagnostic logging is off (enable_logging defaults to false in the provider)."


VSPHERE_VM_LOGGING_ENABLED = rule(
    meta(
        "vsphere-vm-logging-enabled",
        LOW,
        "VMs enable diagnostic logging.",
        "Set enable_logging = true.",
        [vsphere_scg("vm-8.log-enable"), dnssi("Logging and monitoring")],
    ),
    {VM: with_props(_logging)},
)
"""terraform-provider-vsphere docs/resources/virtual_machine.md (enable_logging, default false)"""


POLICIES: list[Policy] = [
    VSPHERE_VM_LOGGING_ENABLED,
]
"""This domain's policies, in catalogue order."""
