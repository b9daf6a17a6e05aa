"""Values unknown during preview: the sentinels, the test, and how a check says it cannot decide.

A check never crashes on an unknown value and never passes by accident: it calls
:func:`need` on a value that decides its outcome, which raises :class:`Undecided`;
the policy builders turn that into pulumi-policy's own ``UnknownValueError``, which
its analyzer reports as an advisory "can't run policy ... during preview".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

UNKNOWN: Final[str] = UNKNOWN_STRING_VALUE
"""The engine's sentinel for a value not known until apply (the SDK sends this one for every type)."""

UNKNOWN_SENTINELS: Final[frozenset[str]] = frozenset(
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


def is_unknown(value: Any) -> bool:
    """True for any of pulumi-policy's unknown-value sentinels."""
    return isinstance(value, str) and value in UNKNOWN_SENTINELS


class Undecided(Exception):
    """Raised by a check that cannot decide because a value is unknown during preview."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def need(value: Any, what: str) -> Any:
    """``value`` itself, or :class:`Undecided` (naming ``what``) when it is unknown during preview."""
    if is_unknown(value):
        raise Undecided(what)
    return value


def mirrored(value: Any) -> Any:
    """A computed output that mirrors other resources, as the program set it (``None`` when unknown).

    Some outputs of a resource are computed from other resources of the stack or from the
    service's default when the program leaves them unset: a legacy S3 bucket's
    ``policy``, ``serverSideEncryptionConfiguration`` and ``replicationConfiguration``
    reflect the ``BucketPolicy``, ``BucketServerSideEncryptionConfiguration`` and
    ``BucketReplicationConfig`` attached to it. In ``AnalyzeStack`` the CLI sends such an
    output unknown (pulumi/pulumi ``step_generator.go``: the provider's preview ``Create``
    plans computed values as unknown). A stack policy reads the attached resources
    themselves, so the unknown mirror adds nothing to decide on: it is read as unset.
    (A program that sets the whole inline value from another resource's output makes it
    unknown too, and is read the same way: set the inline value's fields, not the whole.)
    """
    return None if is_unknown(value) else value


_DROP: Final = object()


def _without_unknowns(value: Any) -> Any:
    if is_unknown(value):
        return _DROP
    if isinstance(value, dict):
        kept = {k: _without_unknowns(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v is not _DROP}
    if isinstance(value, list):
        return [v for v in (_without_unknowns(v) for v in value) if v is not _DROP]
    return value


def program_set(props: Mapping[str, Any], deps: Mapping[str, Any]) -> dict[str, Any]:
    """A resource's outputs as a stack policy should read them: unknowns the program did not set removed.

    In ``AnalyzeStack`` the CLI sends a custom resource's preview outputs, where every computed
    value the program did not set is unknown (pulumi/pulumi ``step_generator.go``). An unknown
    value the program did set comes from another resource's output, and so carries a property
    dependency. So an unknown inside a property with no dependency is the provider's to compute
    (an OpenStack volume's ``region``, a GCP disk's ``project``, a vSphere library's
    ``publication.published``): it is read as unset, exactly what the program wrote, and the
    policy applies the provider default or the provider's configuration as it would for an
    absent value. Unknowns under a property with a dependency are kept: those cannot be decided.
    """
    out: dict[str, Any] = {}
    for key, value in props.items():
        if deps.get(key):
            out[key] = value
            continue
        kept = _without_unknowns(value)
        if kept is not _DROP:
            out[key] = kept
    return out


def unknown_error(message: str) -> UnknownValueError:
    """pulumi-policy's own UnknownValueError, which its analyzer turns into an advisory diagnostic."""
    err = UnknownValueError(UNKNOWN, [])
    err.message = message
    err.args = (message,)
    return err
