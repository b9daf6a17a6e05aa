"""Durability rules for vSphere: none yet.

Backups (VADP-based tools) and replication (vSphere Replication) are not resources of pulumi-vsphere 4.x,
so a program cannot show them; the blueprint README lists them as the operator's.
"""

from __future__ import annotations

from pulumi_policy import Policy

POLICIES: list[Policy] = []
"""This domain's policies, in catalogue order."""
