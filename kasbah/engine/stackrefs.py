"""Stack references: answered with the offline previews of this project's stacks, or an outputs file."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from kasbah.engine.model import UNKNOWN_MARK, UNKNOWN_SENTINEL, contains_unknown, is_secret_wire
from kasbah.errors import PreviewError
from kasbah.project import Project


def _unwire(value: Any) -> tuple[Any, bool]:
    """A wire value as a program sees it, and whether it held a secret."""
    if is_secret_wire(value):
        inner, _ = _unwire(value.get("value"))
        return inner, True
    if isinstance(value, dict):
        items = {k: _unwire(v) for k, v in value.items()}
        return {k: v for k, (v, _) in items.items()}, any(s for _, s in items.values())
    if isinstance(value, list):
        pairs = [_unwire(v) for v in value]
        return [v for v, _ in pairs], any(s for _, s in pairs)
    if isinstance(value, float) and value.is_integer():
        return int(value), False
    return value, False


@contextlib.contextmanager
def per_output_values(table: Mapping[str, Mapping[str, Any]]) -> Iterator[None]:
    """``StackReference.get_output``/``require_output``/``get_output_details`` read output by output.

    The SDK reads one output out of the whole ``outputs`` map, which is unknown as soon as
    any output of the referenced stack is unknown offline. These read the output itself from
    ``table`` (the monitor's record, by the reference's URN): a known output is known, an
    unknown one is unknown (and stays unknown in every input it reaches), a secret one secret.
    The ``outputs`` property itself stays as the SDK makes it (unknown when any output is).
    """
    import pulumi
    from pulumi import stack_reference

    cls = stack_reference.StackReference
    saved = (cls.get_output, cls.require_output, cls.get_output_details)

    def lookup(self: Any, name: Any, required: bool) -> Any:
        name_out = pulumi.Output.from_input(name)

        async def entry() -> tuple[str, Any, bool]:
            key = str(await name_out.future())
            urn = await self.urn.future()
            outputs = table.get(urn, {})
            if key not in outputs:
                if required:
                    stack = await self.name.future()
                    raise KeyError(f"Required output '{key}' does not exist on stack '{stack}'.")
                return key, None, False
            wire = outputs[key]
            return key, wire, contains_unknown(wire)

        found = asyncio.ensure_future(entry())

        async def value() -> Any:
            _, wire, unknown = await found
            return None if unknown else _unwire(wire)[0]

        async def known() -> bool:
            _, _, unknown = await found
            return not unknown

        async def secret() -> bool:
            key, wire, _ = await found
            names = (
                await self.secret_output_names.future() if await self.secret_output_names.is_known() else []
            )
            return _unwire(wire)[1] or key in (names or [])

        async def resources() -> set[Any]:
            return set(await name_out.resources()) | {self}

        return pulumi.Output(
            asyncio.ensure_future(resources()),
            asyncio.ensure_future(value()),
            asyncio.ensure_future(known()),
            asyncio.ensure_future(secret()),
        )

    async def details(self: Any, name: str) -> Any:
        out = lookup(self, name, False)
        if not await out.is_known():
            return stack_reference.StackReferenceOutputDetails()
        value = await out.future()
        if await out.is_secret():
            return stack_reference.StackReferenceOutputDetails(secret_value=value)
        return stack_reference.StackReferenceOutputDetails(value=value)

    cls.get_output = lambda self, name: lookup(self, name, False)  # type: ignore[method-assign]
    cls.require_output = lambda self, name: lookup(self, name, True)  # type: ignore[method-assign]
    cls.get_output_details = details  # type: ignore[method-assign]
    try:
        yield
    finally:
        cls.get_output, cls.require_output, cls.get_output_details = saved  # type: ignore[method-assign]


class StackReferenceResolver:
    """Answers ``StackReference`` names with the offline preview outputs of this project's stacks."""

    def __init__(self, project: Project, outputs_file: Path | None, chain: Sequence[str] = ()) -> None:
        self.project = project
        self.chain = list(chain)
        self.cache: dict[str, dict[str, Any]] = {}
        self.files: dict[str, Any] = {}
        if outputs_file is not None:
            try:
                data = json.loads(Path(outputs_file).read_text())
            except (OSError, json.JSONDecodeError) as exc:
                raise PreviewError(f"{outputs_file}: cannot read stack outputs ({exc})") from None
            if not isinstance(data, dict):
                raise PreviewError(f"{outputs_file}: expected an object mapping stack names to outputs")
            self.files = data

    def __call__(self, name: str) -> dict[str, Any]:
        if name in self.files:
            outputs: dict[str, Any] = _to_wire(self.files[name])
            return outputs
        parts = name.split("/")
        stack = parts[-1]
        project = parts[-2] if len(parts) >= 2 else self.project.name
        if project != self.project.name or stack not in self.project.stacks():
            raise PreviewError(
                f"StackReference '{name}' is neither a stack of project {self.project.name} "
                f"(stacks: {', '.join(self.project.stacks()) or 'none'}) nor in --stack-outputs: "
                "pass its outputs with --stack-outputs FILE"
            )
        if stack in self.chain:
            raise PreviewError(f"StackReference cycle: {' -> '.join([*self.chain, stack])}")
        if stack not in self.cache:
            self.cache[stack] = self._preview_outputs(stack)
        return self.cache[stack]

    def _preview_outputs(self, stack: str) -> dict[str, Any]:
        env = dict(os.environ)
        env["KASBAH_STACK_CHAIN"] = ",".join([*self.chain, stack])
        cmd = [
            sys.executable,
            "-m",
            "kasbah",
            "preview",
            str(self.project.dir),
            "--stack",
            stack,
            "--format",
            "json",
            "--no-policies",
            "--wire-outputs",
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["(no output)"])[0]
            raise PreviewError(f"StackReference to stack '{stack}': its offline preview failed: {last}")
        data = json.loads(proc.stdout)
        outputs: dict[str, Any] = data.get("wire_outputs", data.get("outputs", {}))
        return outputs


def _to_wire(value: Any) -> Any:
    if value == UNKNOWN_MARK:
        return UNKNOWN_SENTINEL
    if isinstance(value, dict):
        return {k: _to_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_wire(v) for v in value]
    return value


# --------------------------------------------------------------------------------------------------
# Public API
