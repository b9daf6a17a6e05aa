"""Network rules for vSphere: distributed switches and port groups reject promiscuous mode, forged
transmits and MAC address changes (vSphere Security Configuration Guide 8).

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``. A value
left unset is inherited (a port group from its switch; vSphere's distributed-switch default rejects all
three): only an explicit ``true`` is a finding.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Policy, Severity

from policies.framework import Ctx, ResourceCheck, dnssi, is_true, meta, rule, vsphere_scg, with_props
from policies.security_baseline.vsphere.tokens import PORT_GROUP, SWITCH

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


def _accepts(prop: str, what: str) -> ResourceCheck:
    def check(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
        if is_true(p.get(prop), prop):
            yield f"{what} is accepted ({prop} = true)."

    return with_props(check)


def _layer2(policy_id: str, prop: str, what: str, control: str) -> Any:
    return rule(
        meta(
            policy_id,
            HIGH,
            f"Distributed switches and port groups reject {what}.",
            f"Set {prop} = false (or leave it unset on a port group of a switch that rejects it).",
            [vsphere_scg(control), dnssi("Network security")],
        ),
        {PORT_GROUP: _accepts(prop, what), SWITCH: _accepts(prop, what)},
    )


VSPHERE_PORTGROUP_REJECT_PROMISCUOUS = _layer2(
    "vsphere-portgroup-reject-promiscuous",
    "allowPromiscuous",
    "promiscuous mode",
    "vcenter-8.network-reject-promiscuous-mode-dvportgroup",
)
VSPHERE_PORTGROUP_REJECT_FORGED_TRANSMITS = _layer2(
    "vsphere-portgroup-reject-forged-transmits",
    "allowForgedTransmits",
    "forged transmits",
    "vcenter-8.network-reject-forged-transmit-dvportgroup",
)
VSPHERE_PORTGROUP_REJECT_MAC_CHANGES = _layer2(
    "vsphere-portgroup-reject-mac-changes",
    "allowMacChanges",
    "guest MAC address changes",
    "vcenter-8.network-reject-mac-changes-dvportgroup",
)


POLICIES: list[Policy] = [
    VSPHERE_PORTGROUP_REJECT_PROMISCUOUS,
    VSPHERE_PORTGROUP_REJECT_FORGED_TRANSMITS,
    VSPHERE_PORTGROUP_REJECT_MAC_CHANGES,
]
"""This domain's policies, in catalogue order."""
