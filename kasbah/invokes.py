"""The registry of canned answers to data-source invokes, for offline previews.

The answers live with their cloud in :mod:`kasbah.engine.clouds` (``aws``, ``azure``);
this module is the one table the monitor answers from and what ``kasbah invokes``
lists. Every answer agrees with the stack's configuration; an invoke with no entry
is an error that names its token: never a silent empty answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kasbah.engine.clouds import INVOKES as REGISTRY
from kasbah.engine.clouds import InvokeContext, InvokeFailure
from kasbah.engine.clouds.aws import DEFAULT_ACCOUNT_ID, WAVELENGTH_ZONES, WavelengthZone
from kasbah.engine.clouds.azure import DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID


def answer(token: str, args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """The canned answer to one invoke; ``KeyError`` when the token has no entry."""
    fn = REGISTRY.get(token)
    if fn is None:
        raise KeyError(token)
    return fn(args, ctx)


def describe() -> list[tuple[str, str]]:
    """(token, first docstring line) of every registered answer."""
    return sorted((tok, (fn.__doc__ or "").strip().splitlines()[0]) for tok, fn in REGISTRY.items())


__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_SUBSCRIPTION_ID",
    "DEFAULT_TENANT_ID",
    "REGISTRY",
    "WAVELENGTH_ZONES",
    "InvokeContext",
    "InvokeFailure",
    "WavelengthZone",
    "answer",
    "describe",
]
