"""What a preview produced: recorded resources, policy violations, the result; wire-value helpers.

Pure data: this module imports nothing else of Kasbah's engine, so the policy analysis
(:mod:`kasbah.analysis`), the reports and the graph can use it without importing the
runtime (this is what breaks the old engine <-> analysis import cycle).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""The wire form of an unknown value (``plugin.UnknownStringValue`` in pulumi/pulumi)."""
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
UNKNOWN_MARK = "[unknown]"
SECRET_MARK = "[secret]"
STACK_TYPE = "pulumi:pulumi:Stack"
STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"
PROVIDER_PREFIX = "pulumi:providers:"
ENGINE_PACK = "kasbah-engine"
"""The pack name of diagnostics the engine itself reports (e.g. remote components not expanded)."""


@dataclass(frozen=True, order=True)
class SourcePosition:
    """A line of a file, the file relative to the repository root (POSIX separators)."""

    file: str
    line: int

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line}

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class RecordedResource:
    """One resource as the engine saw it."""

    urn: str
    type: str
    name: str
    parent: str | None
    provider: str | None
    """URN of the resource's provider (explicit or default); None for components and providers."""
    custom: bool
    wire: dict[str, Any]
    """Inputs exactly as sent to policies (JSON form of the wire struct: sentinels and secret envelopes kept)."""
    options: dict[str, Any]
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    read: bool = False
    outputs: dict[str, Any] | None = None
    """Preview outputs in wire form: a custom resource's as the provider would return them, a
    component's (or the stack's) registered outputs. None until known."""
    remote: bool = False
    """A multi-language (remote) component, which the offline engine cannot construct."""
    secret_paths: tuple[str, ...] = ()
    """Top-level input names whose values are secret (``additionalSecretOutputs``)."""
    source: SourcePosition | None = None
    """Where the program created it: the first stack frame inside the user's repository."""

    @property
    def inputs(self) -> dict[str, Any]:
        """Inputs for people: unknowns as ``[unknown]``, secrets as ``[secret]``."""
        result = display_value(self.wire)
        assert isinstance(result, dict)
        for key in self.secret_paths:
            if key in result:
                result[key] = SECRET_MARK
        return result

    def to_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "provider": self.provider,
            "inputs": self.inputs,
            "options": self.options,
            "dependencies": self.dependencies,
            "propertyDependencies": self.property_dependencies,
        }


@dataclass(frozen=True)
class Violation:
    policy: str
    pack: str
    urn: str
    message: str
    enforcement: str
    severity: str

    def to_json(self) -> dict[str, str]:
        return {
            "policy": self.policy,
            "pack": self.pack,
            "urn": self.urn,
            "message": self.message,
            "enforcement": self.enforcement,
            "severity": self.severity,
        }


@dataclass(frozen=True)
class Remediation:
    """A ``remediate`` policy that changed a resource's inputs before analysis."""

    policy: str
    pack: str
    urn: str
    properties: tuple[str, ...]
    """Top-level input names the remediation changed."""

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "pack": self.pack,
            "urn": self.urn,
            "properties": list(self.properties),
        }


@dataclass(frozen=True)
class PolicyDescription:
    """A policy of a pack that ran, as reports describe it (from the pack's own metadata)."""

    pack: str
    policy: str
    description: str
    severity: str
    """``critical``, ``high``, ``medium``, ``low`` or ``unspecified``."""
    enforcement: str
    """The enforcement level this run used (after the policy configuration)."""
    remediation: str = ""
    references: tuple[str, ...] = ()
    """Compliance references, primary first (``<framework> <version>: <control>``)."""
    url: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "pack": self.pack,
            "policy": self.policy,
            "description": self.description,
            "severity": self.severity,
            "enforcement": self.enforcement,
            "remediation": self.remediation,
            "references": list(self.references),
            "url": self.url,
        }


@dataclass(frozen=True)
class Exempted:
    """A finding a valid exemption hid (Kasbah's packs record them): reported as a suppression."""

    policy: str
    pack: str
    urn: str
    message: str
    reason: str
    expires: str
    """ISO date."""
    target: str
    """What the exemption matches: ``urn <pattern>`` or ``tag <key>=<value>``."""

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "pack": self.pack,
            "urn": self.urn,
            "message": self.message,
            "reason": self.reason,
            "expires": self.expires,
            "target": self.target,
        }


@dataclass
class PreviewResult:
    project: str
    stack: str
    resources: list[RecordedResource]
    outputs: dict[str, Any]
    policy_packs: list[tuple[str, str]] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    wire_outputs: dict[str, Any] = field(default_factory=dict)
    """Outputs in wire form (unknown sentinels, secret envelopes), for stack references."""
    seconds: float = 0.0
    remediations: list[Remediation] = field(default_factory=list)
    secrets: frozenset[str] = frozenset()
    """Plaintexts of every value marked secret: masked wherever a report prints text."""
    warnings: list[str] = field(default_factory=list)
    """Notes for the person running the preview (printed on stderr, never in a report)."""
    policies: list[PolicyDescription] = field(default_factory=list)
    """Every policy of the packs that ran, fired or not."""
    exempted: list[Exempted] = field(default_factory=list)
    """Findings hidden by a valid exemption."""

    def by_type(self, type_: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == type_]

    def get(self, urn: str) -> RecordedResource:
        for r in self.resources:
            if r.urn == urn:
                return r
        raise KeyError(urn)

    def children(self, urn: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.parent == urn]

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement == "mandatory"]

    @property
    def advisory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement == "advisory"]

    def to_json(self) -> dict[str, Any]:
        data = {
            "version": 1,
            "project": self.project,
            "stack": self.stack,
            "resources": [
                {k: v for k, v in r.to_json().items() if k in RESOURCE_KEYS} for r in self.resources
            ],
            "outputs": self.outputs,
            "policy_packs": [{"name": n, "version": v} for n, v in self.policy_packs],
            "violations": [v.to_json() for v in self.violations],
            "summary": {
                "resources": len(self.resources),
                "mandatory": len(self.mandatory),
                "advisory": len(self.advisory),
            },
        }
        if self.remediations:
            data["remediations"] = [r.to_json() for r in self.remediations]
        return data


RESOURCE_KEYS = ("urn", "type", "name", "parent", "provider", "inputs", "options")


def display_value(value: Any) -> Any:
    """Wire JSON -> readable JSON: unknowns and secrets masked, resource references by URN."""
    if isinstance(value, str):
        return UNKNOWN_MARK if value == UNKNOWN_SENTINEL else value
    if isinstance(value, dict):
        sig = value.get(SECRET_SIG_KEY)
        if sig == SECRET_SIG:
            return SECRET_MARK
        if sig == RESOURCE_SIG:
            return value.get("urn", UNKNOWN_MARK)
        if sig == OUTPUT_SIG:
            if value.get("secret"):
                return SECRET_MARK
            return display_value(value["value"]) if "value" in value else UNKNOWN_MARK
        if sig is not None:
            return UNKNOWN_MARK
        return {k: display_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [display_value(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def is_secret_wire(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SECRET_SIG_KEY) == SECRET_SIG


def contains_unknown(value: Any) -> bool:
    if value == UNKNOWN_SENTINEL:
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


def secret_plaintexts(value: Any, into: set[str], inside: bool = False) -> None:
    """Collect the scalar plaintexts found inside secret envelopes of a wire value."""
    if isinstance(value, dict):
        secret = (
            inside
            or is_secret_wire(value)
            or (value.get(SECRET_SIG_KEY) == OUTPUT_SIG and value.get("secret"))
        )
        for k, v in value.items():
            if k != SECRET_SIG_KEY:
                secret_plaintexts(v, into, bool(secret))
    elif isinstance(value, list):
        for v in value:
            secret_plaintexts(v, into, inside)
    elif inside and value is not None and not isinstance(value, bool) and value != UNKNOWN_SENTINEL:
        text = str(int(value) if isinstance(value, float) and value.is_integer() else value)
        if text:
            into.add(text)


MIN_MASKED_LENGTH = 4
"""Secrets shorter than this are masked where they are whole values, not inside free text
(masking every ``"yes"`` or ``"42"`` in a message would hide the message, not a secret)."""


def mask_text(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of a known secret plaintext in free text by ``[secret]``."""
    for s in sorted((s for s in secrets if len(s) >= MIN_MASKED_LENGTH), key=len, reverse=True):
        if s in text:
            text = text.replace(s, SECRET_MARK)
    return text


def mask_value(value: Any, secrets: frozenset[str]) -> Any:
    """Mask known secret plaintexts in a readable JSON value (whole strings and inside strings)."""
    if not secrets:
        return value
    if isinstance(value, str):
        return SECRET_MARK if value in secrets else mask_text(value, secrets)
    if isinstance(value, dict):
        return {k: mask_value(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_value(v, secrets) for v in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = str(int(value) if isinstance(value, float) and value.is_integer() else value)
        return SECRET_MARK if text in secrets else value
    return value
