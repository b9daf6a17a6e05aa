"""Logging rules for OpenStack: load balancers pass the client's address to the members' logs.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Policy, Severity

from policies.framework import Ctx, dnssi, get, lower, meta, openstack_sg, rule, with_props
from policies.security_baseline.openstack.tokens import LISTENER

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


def _forwarded_for(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if lower(p.get("protocol"), "protocol") not in ("http", "terminated_https"):
        return
    value = lower(get(p, "insertHeaders", "X-Forwarded-For"), "insertHeaders.X-Forwarded-For")
    if value != "true":
        yield "the listener does not insert X-Forwarded-For: the members' logs only see the load balancer."


OPENSTACK_LB_LISTENER_FORWARDED_FOR = rule(
    meta(
        "openstack-lb-listener-forwarded-for",
        LOW,
        "HTTP-aware Octavia listeners insert X-Forwarded-For, so that access logs name the client.",
        'Set insert_headers = {"X-Forwarded-For": "true"}.',
        [openstack_sg("networking/services: Load balancing"), dnssi("Logging and monitoring")],
    ),
    {LISTENER: with_props(_forwarded_for)},
)
"""https://docs.openstack.org/octavia/latest/user/feature-classification/index.html (insert headers)"""


POLICIES: list[Policy] = [
    OPENSTACK_LB_LISTENER_FORWARDED_FOR,
]
"""This domain's policies, in catalogue order."""
