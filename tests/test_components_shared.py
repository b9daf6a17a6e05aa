"""Pure tests of the shared building blocks: tags, naming, CIDR planning, typed settings."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.cidr import assert_disjoint, find_overlaps, parse_cidr, plan_subnets
from components.common import CommonArgs, args_of, child_name, layer_tags, stable_hash
from components.errors import ConfigError
from components.settings import camel, config_table_rows, parse_settings


def test_layer_tags_later_layers_win_and_none_is_skipped() -> None:
    assert layer_tags({"a": "1", "b": "1"}, None, {"b": "2"}, {}) == {"a": "1", "b": "2"}


def test_child_names_are_deterministic() -> None:
    assert child_name("hub", "subnet", "eu-west-3a") == "hub-subnet-eu-west-3a"
    assert child_name("hub", "rt", "", 2) == "hub-rt-2"
    assert stable_hash("111111111111") == stable_hash("111111111111") != stable_hash("222222222222")
    assert len(stable_hash("x", 8)) == 8


def test_prefix_is_validated_with_a_one_line_error() -> None:
    with pytest.raises(ConfigError) as err:
        CommonArgs(prefix="Bad_Prefix")
    assert str(err.value).startswith("kasbah:prefix: prefix 'Bad_Prefix' is not 2-10 lowercase")
    assert "\n" not in str(err.value)


def test_overlaps_name_both_keys() -> None:
    blocks = {"spokes[0]": parse_cidr("a", "10.0.0.0/16"), "spokes[1]": parse_cidr("b", "10.0.128.0/17")}
    assert find_overlaps(blocks) == [("spokes[0]", "spokes[1]")]
    with pytest.raises(ConfigError, match=r"^spokes\[0\] and spokes\[1\]: 10\.0\.0\.0/16 overlaps"):
        assert_disjoint(blocks)


def test_bad_cidr_names_the_key() -> None:
    with pytest.raises(ConfigError, match=r"^kasbah:hub\.cidr: '10\.0\.0\.1/16' is not an IPv4 CIDR block"):
        parse_cidr("kasbah:hub.cidr", "10.0.0.1/16")


@given(prefix=st.integers(min_value=8, max_value=24), tiers=st.integers(1, 4), zones=st.integers(1, 6))
def test_planned_subnets_are_disjoint_and_inside_the_network(prefix: int, tiers: int, zones: int) -> None:
    network = ipaddress.IPv4Network(f"10.0.0.0/{prefix}")
    names = [f"t{i}" for i in range(tiers)]
    try:
        plans = plan_subnets("k", network, names, zones)
    except ConfigError as err:
        assert "too small" in str(err)
        return
    assert len(plans) == tiers * zones
    cidrs = [p.cidr for p in plans]
    assert all(c.subnet_of(network) for c in cidrs)
    assert not find_overlaps({str(i): c for i, c in enumerate(cidrs)})


class Size(StrEnum):
    SMALL = "small"
    LARGE = "large"


@dataclass(frozen=True)
class Spoke:
    """A spoke."""

    name: str
    """Spoke name. Required."""
    cidr: str = "10.1.0.0/16"
    """Address block. Default: ``10.1.0.0/16``."""


@dataclass(frozen=True)
class Example:
    """Settings used by the tests."""

    home_region: str = "eu-west-3"
    """Home region. Default: ``eu-west-3``."""
    size: Size = Size.SMALL
    """Size. Default: ``small``."""
    az_count: int = 2
    """AZs. Default: 2."""
    spokes: list[Spoke] = field(default_factory=list)
    """Spokes. Default: none."""


def test_settings_parse_typed_and_string_values() -> None:
    s = parse_settings(
        Example,
        {
            "homeRegion": "eu-south-2",
            "size": "large",
            "azCount": "3",
            "spokes": '[{"name": "app"}]',
            "blueprint": "ignored-root-key",
        },
    )
    assert s == Example("eu-south-2", Size.LARGE, 3, [Spoke("app")])
    assert camel("home_region") == "homeRegion"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"homeRegio": "x"},
            "kasbah:homeRegio: unknown configuration key. Fix: remove it or fix its name (did you mean 'kasbah:homeRegion'?).",
        ),
        ({"size": "huge"}, "kasbah:size: 'huge' is not one of small, large."),
        ({"azCount": "two"}, "kasbah:azCount: 'two' is not an integer."),
        ({"spokes": [{"cidr": "10.0.0.0/16"}]}, "kasbah:spokes[0].name: required key is missing."),
    ],
)
def test_settings_errors_are_one_line_naming_the_key(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_settings(Example, raw)
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_config_table_comes_from_field_docstrings() -> None:
    rows = config_table_rows(Example)
    assert rows[0] == ("kasbah:homeRegion", "string", '"eu-west-3"', "Home region. Default: ``eu-west-3``.")
    assert ("kasbah:size", "small | large", "small", "Size. Default: ``small``.") in rows
    assert ("kasbah:spokes[].name", "string", "(required)", "Spoke name. Required.") in rows


def test_common_settings_declare_the_shared_keys_once() -> None:
    from components.settings import CommonSettings

    @dataclass(frozen=True, kw_only=True)
    class Blueprint(CommonSettings):
        region: str
        """Region. Required."""

    s = parse_settings(Blueprint, {"region": "eu-west-3", "prefix": "acme", "tags": {"team": "a"}})
    assert s.common_args(env="dev") == CommonArgs(
        prefix="acme", tags={"team": "a", "env": "dev"}, protect=False
    )
    keys = [row[0] for row in config_table_rows(Blueprint)]
    assert keys == ["kasbah:prefix", "kasbah:tags", "kasbah:protect", "kasbah:region"]
    with pytest.raises(ConfigError, match=r"^kasbah:prefix: "):
        parse_settings(Blueprint, {"region": "x", "prefix": "NO"})


@dataclass(frozen=True, kw_only=True)
class _Spec:
    size: int = 1
    names: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class _Args(_Spec):
    target: str
    common: CommonArgs = field(default_factory=CommonArgs)


@dataclass(frozen=True, kw_only=True)
class _Settings(_Spec):
    target: str | None = None  # same name as an argument, another meaning: never copied
    extra: bool = True


def test_args_of_copies_the_shared_spec_fields_only() -> None:
    settings = _Settings(size=3, names=["a"], target="ignored")
    args = args_of(_Args, settings, target="resolved")
    assert args == _Args(size=3, names=["a"], target="resolved")
    assert args_of(_Args, settings, target="t", size=9).size == 9  # a runtime value overrides the spec
    with pytest.raises(TypeError, match="not a spec of _Args"):
        args_of(_Args, CommonArgs(), target="t")
