"""Relating AWS S3 buckets to the resources that configure them (encryption, policy, versioning...)."""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import StackValidationArgs

from policies.framework import Res, related, stack_resources
from policies.security_baseline.aws.tokens import BUCKETS


def buckets_and(args: StackValidationArgs, *others: Iterable[str]) -> dict[str, list[Res]]:
    """The stack's buckets (under ``"bucket"``, every bucket type) and its resources of the other types."""
    types = [*BUCKETS]
    for o in others:
        types += list(o)
    found = stack_resources(args, types)
    found["bucket"] = [r for t in BUCKETS for r in found[t]]
    return found


def attached_to_buckets(found: dict[str, list[Res]], kinds: Iterable[str]) -> dict[str, list[Res] | None]:
    """For each bucket URN, the resources of ``kinds`` attached to it (``None``: one could not be related)."""
    attached: dict[str, list[Res] | None] = {b.urn: [] for b in found["bucket"]}
    unrelated = False
    for kind in kinds:
        for res in found[kind]:
            targets = related(res, "bucket", found["bucket"], name_prop="bucket")
            if targets is None:
                unrelated = True
                continue
            for t in targets:
                lst = attached[t.urn]
                if lst is not None:
                    lst.append(res)
    if unrelated:
        # A configuration whose bucket is unknown and has no dependency may belong to any bucket
        # that lacks one: those cannot be decided.
        for urn, lst in attached.items():
            if not lst:
                attached[urn] = None
    return attached
