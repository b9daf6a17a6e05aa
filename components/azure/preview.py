"""Values the cloud computes: unknown (never empty) while a preview has not created them yet."""

from __future__ import annotations

import asyncio

import pulumi


def known_or_unknown(value: str | None) -> pulumi.Input[str]:
    """``value`` when the cloud returned it, else an unknown output (call inside ``apply``)."""
    if value:
        return value
    loop = asyncio.get_running_loop()
    known: asyncio.Future[bool] = loop.create_future()
    result: asyncio.Future[str] = loop.create_future()
    known.set_result(False)
    result.set_result("")
    return pulumi.Output(set(), result, known)
