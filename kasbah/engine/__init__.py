"""The offline preview engine.

Runs a Pulumi Python program under Pulumi's mock runtime in preview mode, with
no CLI, plugin or credentials, and records what the real engine would see:
every resource's URN, type, name, parent, inputs, provider, options,
dependencies and property dependencies, plus the outputs. Then it runs policy
packs through pulumi-policy's own analyzer (see :mod:`kasbah.analysis`).

The package, one job per module:

- :mod:`.model`: what a preview produced (resources, violations, the result) and wire-value helpers;
- :mod:`.urns`: URNs formed as the engine forms them;
- :mod:`.monitor`: the resource monitor that records registrations, reads, invokes;
- :mod:`.runtime`: a brand-new Pulumi runtime per run, the SDK fast path, clean-up;
- :mod:`.stackrefs`: stack references answered offline;
- :mod:`.shapes`: preview outputs in the provider's output shape, from the SDK's output types;
- :mod:`.guards`: exits, deadlines and asyncio noise around programs and packs;
- :mod:`.context`: the stack context policies receive (organization, stack tags);
- :mod:`.clouds`: the cloud registry (one module per cloud: provider emulation, invokes, labels);
- :mod:`.api`: :func:`preview` and :func:`preview_program`, which also run the packs.

The README's parity table lists, mechanism by mechanism, what the Pulumi CLI does and what this engine does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kasbah.engine.model import (
    PROVIDER_PREFIX,
    RESOURCE_SIG,
    SECRET_MARK,
    SECRET_SIG,
    SECRET_SIG_KEY,
    STACK_REFERENCE_TYPE,
    STACK_TYPE,
    UNKNOWN_MARK,
    UNKNOWN_SENTINEL,
    PreviewResult,
    RecordedResource,
    Violation,
    display_value,
)
from kasbah.engine.urns import make_urn, urn_type
from kasbah.errors import PreviewError

if TYPE_CHECKING:
    from kasbah.engine.api import default_stack, preview, preview_program

_API = ("default_stack", "preview", "preview_program")


def __getattr__(name: str) -> Any:
    # The entry points import the policy analysis, which imports this package's model: importing
    # them lazily keeps `kasbah.analysis -> kasbah.engine.model` free of any cycle.
    if name in _API:
        from kasbah.engine import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "PROVIDER_PREFIX",
    "RESOURCE_SIG",
    "SECRET_MARK",
    "SECRET_SIG",
    "SECRET_SIG_KEY",
    "STACK_REFERENCE_TYPE",
    "STACK_TYPE",
    "UNKNOWN_MARK",
    "UNKNOWN_SENTINEL",
    "PreviewError",
    "PreviewResult",
    "RecordedResource",
    "Violation",
    "default_stack",
    "display_value",
    "make_urn",
    "preview",
    "preview_program",
    "urn_type",
]
