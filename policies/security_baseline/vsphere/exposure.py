"""Exposure rules for vSphere: content libraries are published only with authentication, over HTTPS.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

from pulumi_policy import Policy, Severity

from policies.framework import Ctx, dnssi, get, is_true, items, meta, need, rule, vsphere_scg, with_props
from policies.security_baseline.vsphere.tokens import CONTENT_LIBRARY

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


def _publication(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    for pub in items(p.get("publication"), "publication"):
        if not is_true(get(pub, "published"), "publication.published"):
            continue
        method = need(get(pub, "authenticationMethod"), "publication.authenticationMethod")
        if str(method or "NONE").upper() != "BASIC":
            yield "the library is published without authentication: anyone who has its URL can copy it."


VSPHERE_CONTENT_LIBRARY_PUBLICATION_AUTH = rule(
    meta(
        "vsphere-content-library-publication-auth",
        HIGH,
        "A published content library requires authentication (BASIC) from its subscribers.",
        'Set publication.authentication_method = "BASIC" with a password, or do not publish the library.',
        [dnssi("Access control")],
    ),
    {CONTENT_LIBRARY: with_props(_publication)},
)
"""terraform-provider-vsphere docs/resources/content_library.md (publication)"""


def _subscription(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    for sub in items(p.get("subscription"), "subscription"):
        url = need(get(sub, "subscriptionUrl"), "subscription.subscriptionUrl")
        if url and urlparse(str(url)).scheme != "https":
            yield f"the library subscribes over {urlparse(str(url)).scheme or 'an unknown scheme'}: {url}."


VSPHERE_CONTENT_LIBRARY_SUBSCRIPTION_HTTPS = rule(
    meta(
        "vsphere-content-library-subscription-https",
        MEDIUM,
        "A subscribed content library synchronises over HTTPS.",
        "Use the publisher's https:// subscription URL.",
        [vsphere_scg("vcenter-8.tls-profile"), dnssi("Communications security")],
    ),
    {CONTENT_LIBRARY: with_props(_subscription)},
)


POLICIES: list[Policy] = [
    VSPHERE_CONTENT_LIBRARY_PUBLICATION_AUTH,
    VSPHERE_CONTENT_LIBRARY_SUBSCRIPTION_HTTPS,
]
"""This domain's policies, in catalogue order."""
