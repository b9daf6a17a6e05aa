"""Compatibility path: the names rules imported from ``policies.security_baseline._support``.

Everything moved to :mod:`policies.framework` (``documents`` and ``network`` for policy
documents and network exposure); this module only re-exports it, so that a pack written
against the old module keeps working until it is ported. It will be removed once no
pack imports it.
"""

from kasbah.facts import CLASSIFICATION_TAG
from policies.framework import (
    Ctx,
    Problems,
    Res,
    ResourceCheck,
    as_list,
    classification,
    collect,
    each,
    get,
    holds_personal_data,
    is_production,
    is_true,
    is_unknown,
    items,
    lower,
    meta,
    need,
    number,
    plain,
    present,
    related,
    rule,
    srule,
    stack_resources,
    tag,
)
from policies.framework.builders import STACK_TYPE
from policies.framework.documents import (
    BOUNDING_CONDITION_KEYS,
    actions,
    bounded,
    effect,
    resources,
    statements,
    wildcard_principal,
)
from policies.framework.network import (
    ADMIN_PORTS_DEFAULT,
    ADMIN_PORTS_SCHEMA,
    ALL_PORTS,
    INTERNET_PREFIXES,
    PortRange,
    admin_ports,
    aws_exposure,
    exposure,
    internet_prefix,
    nsg_ranges,
    open_cidr,
)
from policies.framework.values import PERSONAL_CLASSES, PROD_VALUES

unknown = is_unknown
"""Old spelling of :func:`policies.framework.is_unknown`."""

__all__ = [
    "ADMIN_PORTS_DEFAULT",
    "ADMIN_PORTS_SCHEMA",
    "ALL_PORTS",
    "BOUNDING_CONDITION_KEYS",
    "CLASSIFICATION_TAG",
    "INTERNET_PREFIXES",
    "PERSONAL_CLASSES",
    "PROD_VALUES",
    "STACK_TYPE",
    "Ctx",
    "PortRange",
    "Problems",
    "Res",
    "ResourceCheck",
    "actions",
    "admin_ports",
    "as_list",
    "aws_exposure",
    "bounded",
    "classification",
    "collect",
    "each",
    "effect",
    "exposure",
    "get",
    "holds_personal_data",
    "internet_prefix",
    "is_production",
    "is_true",
    "items",
    "lower",
    "meta",
    "need",
    "nsg_ranges",
    "number",
    "open_cidr",
    "plain",
    "present",
    "related",
    "resources",
    "rule",
    "srule",
    "stack_resources",
    "statements",
    "tag",
    "unknown",
    "wildcard_principal",
]
