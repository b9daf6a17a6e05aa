"""Key rules for vSphere: VMs boot only what is signed (EFI secure boot), so the boot chain is trusted.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``. The key
providers (KMS) of VM encryption are configured in vCenter, not through pulumi-vsphere.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Policy, Severity

from policies.framework import Ctx, dnssi, is_true, lower, meta, rule, vsphere_scg, with_props
from policies.security_baseline.vsphere.tokens import VM

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


def _secure_boot(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    firmware = lower(p.get("firmware"), "firmware") or "bios"
    if firmware != "efi":
        yield f"the VM boots with {firmware} firmware: use EFI with secure boot."
    elif not is_true(p.get("efiSecureBootEnabled"), "efiSecureBootEnabled"):
        yield "the VM's EFI secure boot is off."


VSPHERE_VM_SECURE_BOOT = rule(
    meta(
        "vsphere-vm-secure-boot",
        MEDIUM,
        "VMs boot with EFI firmware and secure boot (only signed boot loaders and kernels run).",
        'Set firmware = "efi" and efi_secure_boot_enabled = true (the guest OS must support it).',
        [vsphere_scg("vm-8.efi-boot-types"), dnssi("Cryptography")],
    ),
    {VM: with_props(_secure_boot)},
)
"""terraform-provider-vsphere docs/resources/virtual_machine.md (firmware, efi_secure_boot_enabled)"""


POLICIES: list[Policy] = [
    VSPHERE_VM_SECURE_BOOT,
]
"""This domain's policies, in catalogue order."""
