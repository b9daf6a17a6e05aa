"""Exemptions and the checks of a policy's configuration that the CLI's JSON schema cannot express.

Every Kasbah policy's configuration has ``exemptions``: a URN pattern or a tag, a
reason and an expiry date, all required by the schema, so the real CLI and
``kasbah preview`` both refuse an exemption without an expiry. A valid exemption
suppresses the violations of the resources it matches; once it has expired the
violation is reported again and says so.

The CLI validates a policy's configuration against ``{"type": "object",
"properties": ...}``: pulumi-policy cannot add ``additionalProperties: false`` at
that level, and the date *pattern* cannot refuse ``2027-02-30``. So the policy
builders call :func:`check_config` before anything else: an unknown key (a typo
such as ``exemption``) or an impossible date is a :class:`PolicyConfigError`
naming the policy and the key, never a silent pass.

A host that reports what exemptions hide (``kasbah preview``: SARIF suppressions, with the
reason and expiry) opens :func:`collect_exempted` around the analysis; the builders then
record each exempted finding there. Under the Pulumi CLI nothing collects them: an exempted
finding is simply not reported, as before.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as _dt
import difflib
import fnmatch
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

EXEMPTION_SCHEMA: Final[dict[str, Any]] = {
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
            "expires": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "format": "date"},
        },
        "anyOf": [{"required": ["urn"]}, {"required": ["tag"]}],
    },
}
"""JSON schema of every policy's ``exemptions`` (the expiry is required; ``format: date`` where checked)."""

ALWAYS_ACCEPTED: Final = frozenset({"exemptions", "enforcementLevel"})
"""Configuration keys every policy accepts (the CLI strips ``enforcementLevel``; other hosts may not)."""


class PolicyConfigError(ValueError):
    """A policy's configuration is invalid: one line naming the policy, the key, the problem and the fix."""

    def __init__(self, policy: str, key: str, problem: str, fix: str) -> None:
        self.policy, self.key, self.problem, self.fix = policy, key, problem, fix
        super().__init__(f"policy {policy}: {key}: {problem}. Fix: {fix}.")


@dataclass(frozen=True)
class Exemption:
    """One exemption: the resources it matches (a URN pattern or a tag), why, and until when."""

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

    def target(self) -> str:
        """What it matches: ``urn <pattern>`` or ``tag <key>=<value>``."""
        return f"urn {self.urn}" if self.urn else f"tag {self.tag[0]}={self.tag[1]}" if self.tag else "?"

    def describe(self) -> str:
        return f"exemption for {self.target()} ({self.reason!r})"


@dataclass(frozen=True)
class ExemptedFinding:
    """A finding a valid exemption hid: what would have been reported, and the exemption."""

    policy: str
    urn: str
    message: str
    reason: str
    expires: _dt.date
    target: str


_EXEMPTED: contextvars.ContextVar[list[ExemptedFinding] | None] = contextvars.ContextVar(
    "kasbah_exempted_findings", default=None
)


@contextlib.contextmanager
def collect_exempted() -> Iterator[list[ExemptedFinding]]:
    """Collect, for the duration of an analysis, the findings that valid exemptions hide."""
    found: list[ExemptedFinding] = []
    token = _EXEMPTED.set(found)
    try:
        yield found
    finally:
        _EXEMPTED.reset(token)


def note_exempted(policy: str, urn: str, message: str, exemption: Exemption) -> None:
    """Record an exempted finding when a host collects them (see :func:`collect_exempted`)."""
    sink = _EXEMPTED.get()
    if sink is not None:
        sink.append(
            ExemptedFinding(policy, urn, message, exemption.reason, exemption.expires, exemption.target())
        )


def _date(policy: str, key: str, raw: Any) -> _dt.date:
    text = str(raw)
    try:
        if len(text) != 10:
            raise ValueError(text)
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise PolicyConfigError(
            policy, key, f"{text!r} is not a calendar date", "use an existing date, YYYY-MM-DD"
        ) from None


def parse_exemptions(raw: Iterable[Mapping[str, Any]] | None, policy: str = "?") -> list[Exemption]:
    """Parse a policy's ``exemptions`` (the schema has checked their shape; dates are checked here)."""
    out: list[Exemption] = []
    for i, item in enumerate(raw or []):
        key = f"exemptions[{i}]"
        if not isinstance(item, Mapping):
            raise PolicyConfigError(
                policy, key, f"{item!r} is not an object", "give urn or tag, reason, expires"
            )
        expires_raw = item.get("expires")
        if not expires_raw:
            raise PolicyConfigError(
                policy,
                f"{key}.expires",
                "an exemption without an expiry date is refused",
                "add expires: YYYY-MM-DD",
            )
        expires = _date(policy, f"{key}.expires", expires_raw)
        tag = None
        if item.get("tag"):
            name, _, value = str(item["tag"]).partition("=")
            tag = (name, value)
        out.append(
            Exemption(reason=str(item.get("reason", "")), expires=expires, urn=item.get("urn"), tag=tag)
        )
    return out


def check_config(policy: str, accepted: Iterable[str], config: Mapping[str, Any]) -> list[Exemption]:
    """Refuse unknown keys in a policy's configuration and parse its exemptions."""
    known = ALWAYS_ACCEPTED | set(accepted)
    for key in config:
        if key not in known:
            close = difflib.get_close_matches(str(key), sorted(known - {"enforcementLevel"}), n=1)
            hint = f"did you mean {close[0]!r}?" if close else ""
            raise PolicyConfigError(
                policy,
                str(key),
                f"unknown configuration key{' (' + hint + ')' if hint else ''}",
                f"use one of: {', '.join(sorted(known - {'enforcementLevel'}))}",
            )
    return parse_exemptions(config.get("exemptions"), policy)


def today() -> _dt.date:
    """The date exemptions are checked against (UTC)."""
    return _dt.datetime.now(_dt.UTC).date()


class ConfigCheck:
    """:func:`check_config` of one policy, done once per configuration the policy receives.

    pulumi-policy passes each call a shallow copy of the same configuration, so the ``exemptions``
    list is the same object from call to call until a new ``Configure`` (which builds new objects):
    while it is, and the number of keys is the same, the last result stands. This keeps the check
    to two comparisons on the hot path (every resource policy runs for every resource).
    """

    def __init__(self, policy: str, accepted: Iterable[str]) -> None:
        self._policy = policy
        self._accepted = frozenset(accepted)
        self._raw: object = None
        self._size = -1
        self._exemptions: list[Exemption] = []

    def __call__(self, config: Mapping[str, Any] | None) -> list[Exemption]:
        cfg = config or {}
        raw = cfg.get("exemptions")
        if raw is not None and raw is self._raw and len(cfg) == self._size:
            return self._exemptions
        self._exemptions = check_config(self._policy, self._accepted, cfg)
        self._raw, self._size = raw, len(cfg)
        return self._exemptions
