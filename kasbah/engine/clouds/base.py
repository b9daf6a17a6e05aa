"""What a cloud module of the engine registry provides (see :mod:`kasbah.engine.clouds`)."""

from __future__ import annotations

import functools
import importlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


def json_or_value(value: Any) -> Any:
    """A provider input the SDK may send as a JSON string (maps and lists of provider config), decoded."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


@functools.lru_cache(maxsize=8192)
def sdk_class_has(package: str, type_: str, attribute: str) -> bool:
    """Whether the SDK class of a type token (``aws:s3/bucket:Bucket`` in ``pulumi_aws``) has an output
    ``attribute`` (``tags_all``, ``effective_labels``): the provider computes it."""
    try:
        _, module, cls = type_.split(":")
        mod = importlib.import_module(f"{package}.{module.split('/')[0]}")
        klass = getattr(mod, cls, None)
    except (ValueError, ImportError):
        return False
    return klass is not None and hasattr(klass, attribute)


class InvokeFailure(Exception):
    """The emulated cloud refuses the invoke (as the real data source would)."""


class NotAnswered(Exception):
    """The registry has an answer for this invoke, but not for these arguments (e.g. a VPC looked up by a
    tag: only the default VPC is known offline). Treated as an invoke with no canned answer."""


class ProviderConfigError(Exception):
    """The provider's configuration is refused, as the provider's CheckConfig would refuse it."""


@dataclass(frozen=True)
class InvokeContext:
    """What an answer may depend on: the stack config and the invoke's provider inputs."""

    config: Mapping[str, Any]
    provider_inputs: Mapping[str, Any]
    environment: Mapping[str, str] = field(default_factory=dict)
    """The provider process's environment variables a provider reads (e.g. ``AWS_REGION``)."""


Answer = Callable[[Mapping[str, Any], InvokeContext], dict[str, Any]]
CheckEmulation = Callable[[str, dict[str, Any], Mapping[str, Any]], dict[str, Any]]
ConfigCheck = Callable[[str, Mapping[str, Any], Mapping[str, str]], None]


def no_check(type_: str, wire: dict[str, Any], provider_inputs: Mapping[str, Any]) -> dict[str, Any]:
    return wire


def no_output_emulation(
    type_: str, outputs: dict[str, Any], provider_inputs: Mapping[str, Any]
) -> dict[str, Any]:
    return outputs


def no_config_check(package: str, provider_inputs: Mapping[str, Any], environment: Mapping[str, str]) -> None:
    return None


def no_account(provider_inputs: Mapping[str, Any]) -> str | None:
    return None


def no_resource_account(inputs: Mapping[str, Any]) -> str | None:
    return None


@dataclass(frozen=True)
class Cloud:
    """One cloud of the engine registry: adding a cloud is one module building one of these."""

    name: str
    """Short name used in reports and by policies (``aws``, ``azure``)."""
    packages: tuple[str, ...]
    """Pulumi packages (the first element of a type token) that belong to this cloud."""
    title: str
    """How reports name the cloud (``AWS``)."""
    account_word: str
    """What the cloud calls the unit a provider deploys into (``account``, ``subscription``)."""
    invokes: Mapping[str, Answer] = field(default_factory=dict)
    """Canned answers to data-source invokes, by token."""
    emulate_check: CheckEmulation = no_check
    """The part of the provider's Check step policies can observe (e.g. AWS ``tagsAll``)."""
    emulate_outputs: CheckEmulation = no_output_emulation
    """Preview outputs the provider knows at plan time though the program did not set them
    (AWS: ``region``, from the provider's region)."""
    check_config: ConfigCheck = no_config_check
    """The provider's CheckConfig: raise :class:`ProviderConfigError` for a configuration it refuses."""
    account_of: Callable[[Mapping[str, Any]], str | None] = no_account
    """The account or subscription a provider targets, from its inputs (None: the stack's own)."""
    env_vars: tuple[str, ...] = ()
    """Environment variables the provider reads as configuration (passed to ``check_config``)."""
    resource_account: Callable[[Mapping[str, Any]], str | None] = no_resource_account
    """The account a resource names in its own inputs, which wins over its provider's (GCP: ``project``)."""
    tag_properties: tuple[str, ...] = ("tagsAll", "tags")
    """Inputs holding a resource's tags or labels, in the order reports read them (GCP: ``labels``)."""

    def location_label(self, account: str, region: str) -> str:
        """The label graphs and reports give a location: ``AWS account 1234 · eu-west-3``."""
        who = (
            f"{self.title} {self.account_word} {account}"
            if account != "default"
            else f"{self.title} (stack {self.account_word})"
        )
        return f"{who} · {region}" if region != "?" else who
