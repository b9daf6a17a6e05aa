"""Reusable Pulumi ComponentResources for Kasbah landing zones and edge patterns.

Sub-packages:
- ``components.aws``: AWS landing zone and the Wavelength edge pattern.
- ``components.azure``: Azure landing zone.

Shared, cloud-neutral building blocks live beside this file: ``errors``
(one-line configuration errors), ``common`` (shared inputs, tag layering,
naming), ``cidr`` (pure address planning) and ``settings`` (typed blueprint
configuration read from the ``kasbah:`` namespace).
"""

from components.common import (
    CLASSIFICATION_TAG,
    CommonArgs,
    DataClassification,
    child_name,
    layer_tags,
    stable_hash,
)
from components.errors import ConfigError

__all__ = [
    "CLASSIFICATION_TAG",
    "CommonArgs",
    "ConfigError",
    "DataClassification",
    "child_name",
    "layer_tags",
    "stable_hash",
]
