"""Shared machinery of Kasbah's policy packs: metadata, enforcement, exemptions, unknowns.

A policy is declared once as a :class:`PolicyMeta` (stable kebab-case id,
severity, description, remediation, compliance references) plus a check
function. :func:`resource_policy` and :func:`stack_policy` turn that into a
pulumi-policy ``ResourceValidationPolicy`` / ``StackValidationPolicy`` whose:

- enforcement defaults to mandatory for critical and high, advisory otherwise;
- compliance metadata is pulumi-policy's own: the primary reference is the
  ``framework``, the others are ``tags`` (``"<framework> <version>: <control>"``);
- configuration schema always has ``exemptions`` (a URN pattern or a tag, a
  reason and an expiry date, all required by the schema, so both the real CLI
  and ``kasbah preview`` refuse an exemption without an expiry);
- violations of exempted resources are suppressed while the exemption is
  valid; once it has expired the violation is reported and says so.

Values unknown during preview never crash a policy and never pass by
accident: a check calls :func:`undecided` (or lets pulumi-policy's
``UnknownValueError`` propagate), which reports that the policy could not
decide, as an advisory diagnostic.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
)

UNKNOWN = UNKNOWN_STRING_VALUE
"""The engine's sentinel for a value not known until apply (the SDK sends this one for every type)."""

UNKNOWN_SENTINELS = frozenset(
    {
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_STRING_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_OBJECT_VALUE,
    }
)
"""Every unknown-value sentinel pulumi-policy knows (one per type)."""

_ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Reference:
    """One compliance reference: framework, version and control id."""

    framework: str
    version: str
    control: str

    def tag(self) -> str:
        return f"{self.framework} {self.version}: {self.control}"


# Frameworks cited by Kasbah's packs (names as they appear in reports).
CIS_AWS = "CIS AWS Foundations Benchmark"
CIS_AZURE = "CIS Microsoft Azure Foundations Benchmark"
MCSB = "Microsoft cloud security benchmark"
AWS_FSBP = "AWS Foundational Security Best Practices"
DNSSI = "DNSSI (Morocco)"
LAW_09_08 = "Law 09-08 (Morocco)"
LAW_05_20 = "Law 05-20 (Morocco)"
DECREE_2_24_921 = "Decree 2-24-921 (Morocco)"


def cis_aws(control: str) -> Reference:
    return Reference(CIS_AWS, "3.0.0", control)


def cis_azure(control: str) -> Reference:
    return Reference(CIS_AZURE, "2.1.0", control)


def mcsb(control: str) -> Reference:
    return Reference(MCSB, "1.0", control)


def fsbp(control: str) -> Reference:
    return Reference(AWS_FSBP, "1.0.0", control)


def dnssi(control: str) -> Reference:
    return Reference(DNSSI, "2014", control)


def law_09_08(article: str) -> Reference:
    return Reference(LAW_09_08, "2009", article)


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


EXEMPTION_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": "Resources exempted from this policy, each until an expiry date.",
    "default": [],
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["reason", "expires"],
        "properties": {
            "urn": {"type": "string", "description": "fnmatch pattern over the resource URN"},
            "tag": {
                "type": "string",
                "pattern": "^[^=]+=.*$",
                "description": "key=value: a tag the resource carries",
            },
            "reason": {"type": "string", "minLength": 1},
            "expires": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        },
        "anyOf": [{"required": ["urn"]}, {"required": ["tag"]}],
    },
}


@dataclass(frozen=True)
class Exemption:
    reason: str
    expires: _dt.date
    urn: str | None = None
    tag: tuple[str, str] | None = None

    def matches(self, urn: str, tags: Mapping[str, Any]) -> bool:
        if self.urn is not None and fnmatch.fnmatchcase(urn, self.urn):
            return True
        if self.tag is not None:
            key, value = self.tag
            return key in tags and str(tags[key]) == value
        return False

    def describe(self) -> str:
        target = f"urn {self.urn}" if self.urn else f"tag {self.tag[0]}={self.tag[1]}" if self.tag else "?"
        return f"exemption for {target} ({self.reason!r})"


def parse_exemptions(raw: Iterable[Mapping[str, Any]] | None) -> list[Exemption]:
    """Parse the ``exemptions`` config (already validated by the schema)."""
    out: list[Exemption] = []
    for item in raw or []:
        expires_raw = item.get("expires")
        if not expires_raw:
            raise ValueError("an exemption without 'expires' is refused: add an expiry date (YYYY-MM-DD)")
        expires = _dt.date.fromisoformat(str(expires_raw))
        tag = None
        if item.get("tag"):
            key, _, value = str(item["tag"]).partition("=")
            tag = (key, value)
        out.append(
            Exemption(reason=str(item.get("reason", "")), expires=expires, urn=item.get("urn"), tag=tag)
        )
    return out


def today() -> _dt.date:
    """The date exemptions are checked against (UTC)."""
    return _dt.datetime.now(_dt.UTC).date()


def resource_tags(props: Mapping[str, Any]) -> dict[str, Any]:
    """The tags a resource carries (AWS ``tags``/``tagsAll``, Azure ``tags``), unknowns dropped."""
    merged: dict[str, Any] = {}
    for key in ("tagsAll", "tags"):
        value = _peek(props, key)
        if isinstance(value, Mapping):
            for k in value:
                v = _peek(value, k)
                if v != UNKNOWN and v is not None:
                    merged[str(k)] = v
    return merged


def _peek(mapping: Mapping[str, Any], key: str) -> Any:
    """Read a key without tripping pulumi-policy's unknown-checking proxy."""
    try:
        value = mapping.get(key)
    except Exception:
        return UNKNOWN
    return value


class Undecided(Exception):
    """Raised by a check that cannot decide because a value is unknown during preview."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def undecided(what: str) -> Undecided:
    return Undecided(what)


def is_unknown(value: Any) -> bool:
    """True for any of pulumi-policy's unknown-value sentinels."""
    return isinstance(value, str) and value in UNKNOWN_SENTINELS


Check = Callable[[ResourceValidationArgs, ReportViolation], None]
StackCheck = Callable[[StackValidationArgs, ReportViolation], None]


def _config_schema(meta: PolicyMeta) -> PolicyConfigSchema:
    return PolicyConfigSchema(properties={"exemptions": EXEMPTION_SCHEMA, **meta.config_properties})


def _framework(meta: PolicyMeta) -> tuple[PolicyComplianceFramework, list[str]]:
    primary, *others = meta.references
    fw = PolicyComplianceFramework(name=primary.framework, version=primary.version, reference=primary.control)
    return fw, [r.tag() for r in others]


def _exemption_filter(
    meta: PolicyMeta, config: Mapping[str, Any] | None, report: ReportViolation
) -> Callable[[str, str, Mapping[str, Any]], None]:
    """A report function that honours exemptions: ``report(message, urn, tags)``."""
    exemptions = parse_exemptions((config or {}).get("exemptions"))
    now = today()

    def filtered(message: str, urn: str, tags: Mapping[str, Any]) -> None:
        expired: Exemption | None = None
        for ex in exemptions:
            if ex.matches(urn, tags):
                if ex.expires >= now:
                    return
                expired = ex
        if expired is not None:
            message += f" (the {expired.describe()} expired on {expired.expires.isoformat()})"
        report(message, urn)

    return filtered


def resource_policy(
    meta: PolicyMeta, check: Callable[[ResourceValidationArgs, Callable[[str], None]], None]
) -> ResourceValidationPolicy:
    """A resource policy from metadata and a check ``check(args, fail)``.

    ``fail(message)`` reports a violation of ``args.urn`` (exemptions applied,
    the remediation appended). A check raises :class:`Undecided` when a value it
    needs is unknown during preview: the policy then reports that it could not
    decide, as an advisory, whatever its enforcement.
    """

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        def fail(message: str) -> None:
            # Exemptions and tags are read only when there is something to report (the hot path is a pass).
            filtered = _exemption_filter(meta, args.get_config(), report)
            filtered(f"{args.urn}: {message} Fix: {meta.remediation}", args.urn, resource_tags(args.props))

        try:
            check(args, fail)
        except Undecided as und:
            raise _unknown_error(
                f"{args.urn}: could not decide: {und.what} is unknown during preview"
            ) from None

    fw, tags = _framework(meta)
    policy = ResourceValidationPolicy(
        name=meta.id,
        description=meta.description,
        enforcement_level=meta.default_enforcement,
        validate=validate,
        config_schema=_config_schema(meta),
        severity=meta.severity,
        framework=fw,
        tags=tags,
        remediation_steps=meta.remediation,
    )
    return with_meta(policy, meta)


def stack_policy(
    meta: PolicyMeta, check: Callable[[StackValidationArgs, Callable[[str, Any], None]], None]
) -> StackValidationPolicy:
    """A stack policy from metadata and a check ``check(args, fail)``; ``fail(message, resource)``."""

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        filtered = _exemption_filter(meta, args.get_config(), report)

        def fail(message: str, resource: Any) -> None:
            urn = resource.urn
            filtered(f"{urn}: {message} Fix: {meta.remediation}", urn, resource_tags(resource.props))

        try:
            check(args, fail)
        except Undecided as und:
            raise _unknown_error(f"could not decide: {und.what} is unknown during preview") from None

    fw, tags = _framework(meta)
    policy = StackValidationPolicy(
        name=meta.id,
        description=meta.description,
        enforcement_level=meta.default_enforcement,
        validate=validate,
        config_schema=_config_schema(meta),
        severity=meta.severity,
        framework=fw,
        tags=tags,
        remediation_steps=meta.remediation,
    )
    return with_meta(policy, meta)


def _unknown_error(message: str) -> Exception:
    """pulumi-policy's own UnknownValueError, which its analyzer turns into an advisory diagnostic."""
    from pulumi_policy.proxy import UnknownValueError

    err = UnknownValueError(UNKNOWN, [])
    err.message = message
    err.args = (message,)
    return err


def metadata_of(policies: Sequence[Any]) -> list[PolicyMeta]:
    """The PolicyMeta of each policy built by this module (for POLICIES.md)."""
    return [p._kasbah_meta for p in policies]


def with_meta(policy: Any, meta: PolicyMeta) -> Any:
    policy._kasbah_meta = meta
    return policy
