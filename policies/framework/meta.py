"""What a report or POLICIES.md says about a policy: id, severity, description, remediation, references."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from pulumi_policy import EnforcementLevel, PolicyComplianceFramework, Severity

_ID_RE: Final = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Reference:
    """One compliance reference: framework, version and control id."""

    framework: str
    version: str
    control: str

    def tag(self) -> str:
        return f"{self.framework} {self.version}: {self.control}"


# Frameworks cited by Kasbah's packs (names as they appear in reports).
CIS_AWS: Final = "CIS AWS Foundations Benchmark"
CIS_AZURE: Final = "CIS Microsoft Azure Foundations Benchmark"
CIS_GCP: Final = "CIS Google Cloud Platform Foundation Benchmark"
MCSB: Final = "Microsoft cloud security benchmark"
AWS_FSBP: Final = "AWS Foundational Security Best Practices"
DNSSI: Final = "DNSSI (Morocco)"
LAW_09_08: Final = "Law 09-08 (Morocco)"
LAW_05_20: Final = "Law 05-20 (Morocco)"
DECREE_2_24_921: Final = "Decree 2-24-921 (Morocco)"


def cis_aws(control: str) -> Reference:
    return Reference(CIS_AWS, "3.0.0", control)


def cis_azure(control: str) -> Reference:
    return Reference(CIS_AZURE, "2.0.0", control)


def cis_gcp(control: str) -> Reference:
    return Reference(CIS_GCP, "3.0.0", control)


def mcsb(control: str) -> Reference:
    return Reference(MCSB, "1.0", control)


def fsbp(control: str) -> Reference:
    return Reference(AWS_FSBP, "1.0.0", control)


def dnssi(control: str) -> Reference:
    return Reference(DNSSI, "2014", control)


def law_09_08(article: str) -> Reference:
    return Reference(LAW_09_08, "2009", article)


PERSONAL_DATA_SECURITY: Final = law_09_08("art. 23 (security of processing)")
"""The controller's duty to secure personal data: cited by every control that protects personal data."""


@dataclass(frozen=True)
class PolicyMeta:
    """Everything a report or POLICIES.md says about a policy."""

    id: str
    """Stable kebab-case id (the pulumi-policy name, used in policy-pack config files)."""
    description: str
    """One sentence: what compliant looks like."""
    severity: Severity
    remediation: str
    """What to change, in the program, to comply."""
    references: tuple[Reference, ...]
    """Primary reference first."""
    enforcement: EnforcementLevel | None = None
    """Default enforcement; ``None`` derives it from the severity."""
    config_properties: Mapping[str, Any] = field(default_factory=dict)
    """Extra JSON-schema properties of the policy's configuration (besides ``exemptions``)."""

    def __post_init__(self) -> None:
        if not _ID_RE.match(self.id):
            raise ValueError(f"policy id {self.id!r} is not kebab-case")
        if not self.references:
            raise ValueError(f"policy {self.id} has no compliance reference")

    @property
    def default_enforcement(self) -> EnforcementLevel:
        if self.enforcement is not None:
            return self.enforcement
        if self.severity in (Severity.CRITICAL, Severity.HIGH):
            return EnforcementLevel.MANDATORY
        return EnforcementLevel.ADVISORY

    def compliance(self) -> tuple[PolicyComplianceFramework, list[str]]:
        """pulumi-policy's compliance metadata: the primary reference is the framework, the others tags."""
        primary, *others = self.references
        framework = PolicyComplianceFramework(
            name=primary.framework, version=primary.version, reference=primary.control
        )
        return framework, [r.tag() for r in others]


def meta(
    id: str,
    severity: Severity,
    description: str,
    remediation: str,
    references: Sequence[Reference],
    config: Mapping[str, Any] | None = None,
) -> PolicyMeta:
    """A :class:`PolicyMeta` in the order rules read best (id, severity, description, fix, references)."""
    return PolicyMeta(
        id=id,
        description=description,
        severity=severity,
        remediation=remediation,
        references=tuple(references),
        config_properties=dict(config or {}),
    )


OPENSTACK_SECURITY_GUIDE: Final = "OpenStack Security Guide"
VSPHERE_SCG: Final = "VMware vSphere Security Configuration Guide"


def openstack_sg(control: str) -> Reference:
    """A section or checklist item of the OpenStack Security Guide (docs.openstack.org/security-guide)."""
    return Reference(OPENSTACK_SECURITY_GUIDE, "2026-08", control)


def vsphere_scg(control: str) -> Reference:
    """A control of the vSphere Security Configuration Guide 8 (``vcenter-8.*``, ``vm-8.*`` ids)."""
    return Reference(VSPHERE_SCG, "8", control)
