"""Multi-language (remote) components whose provider's Construct Kasbah emulates offline.

A remote component's children come from its provider's ``Construct``, which needs the provider's
plugin (Node.js for awsx) and cannot run offline. For the components listed in ``EMULATED``, Kasbah
builds the same children the provider would, from the provider's own implementation and schema,
so they reach the policies; any other remote component stops the run (or, with
``--allow-remote-components``, is reported as an advisory).

- :mod:`.awsx_ec2`: ``awsx:ec2:Vpc`` and ``awsx:ec2:DefaultVpc``;
- :mod:`.awsx_vpc_layout`: awsx's subnet layout (pure).
"""

from __future__ import annotations

from kasbah.engine.emulated.awsx_ec2 import (
    EMULATED as AWSX,
)
from kasbah.engine.emulated.awsx_ec2 import (
    Child,
    ConstructError,
    Construction,
    Lookup,
    Ref,
    ResourceRef,
)

EMULATED = {**AWSX}
"""Emulated components by type token."""

__all__ = ["EMULATED", "Child", "ConstructError", "Construction", "Lookup", "Ref", "ResourceRef"]
