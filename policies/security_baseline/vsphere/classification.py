"""The data class of a vSphere VM: the ``vsphere.Tag`` of the ``data-classification`` category in its ``tags``.

Tag ids are unknown during preview, so VMs, tags and categories are related through property
dependencies (:func:`policies.framework.related`); :func:`policies.framework.class_from_tags` reads
the class the same way the residency pack does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from policies.framework import Res, class_from_tags, related


def vm_class(vm: Res, tags: Sequence[Res], categories: Sequence[Res]) -> str | None:
    pairs = []
    for tag in related(vm, "tags", tags) or []:
        for category in related(tag, "categoryId", categories) or []:
            pairs.append((tag.props.get("name"), category.props.get("name")))
    return class_from_tags(pairs)


def by_type(found: Mapping[str, list[Res]], token: str) -> list[Res]:
    return list(found.get(token, []))
