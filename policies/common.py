"""Compatibility path: the names packs imported from ``policies.common`` before :mod:`policies.framework`.

New code imports from :mod:`policies.framework`; this module only re-exports it (nothing
is defined here) so that a pack written against the old module keeps working until it
is ported. It will be removed once no pack imports it.
"""

from policies.framework import (
    AWS_FSBP,
    CIS_AWS,
    CIS_AZURE,
    DECREE_2_24_921,
    DNSSI,
    EXEMPTION_SCHEMA,
    LAW_05_20,
    LAW_09_08,
    MCSB,
    UNKNOWN,
    UNKNOWN_SENTINELS,
    Exemption,
    PolicyMeta,
    Reference,
    Undecided,
    cis_aws,
    cis_azure,
    dnssi,
    fsbp,
    is_unknown,
    law_09_08,
    mcsb,
    metadata_of,
    parse_exemptions,
    resource_policy,
    resource_tags,
    stack_policy,
    today,
)

undecided = Undecided
"""Old spelling: ``undecided(what)`` built an :class:`Undecided`."""


__all__ = [
    "AWS_FSBP",
    "CIS_AWS",
    "CIS_AZURE",
    "DECREE_2_24_921",
    "DNSSI",
    "EXEMPTION_SCHEMA",
    "LAW_05_20",
    "LAW_09_08",
    "MCSB",
    "UNKNOWN",
    "UNKNOWN_SENTINELS",
    "Exemption",
    "PolicyMeta",
    "Reference",
    "Undecided",
    "cis_aws",
    "cis_azure",
    "dnssi",
    "fsbp",
    "is_unknown",
    "law_09_08",
    "mcsb",
    "metadata_of",
    "parse_exemptions",
    "resource_policy",
    "resource_tags",
    "stack_policy",
    "today",
    "undecided",
]
