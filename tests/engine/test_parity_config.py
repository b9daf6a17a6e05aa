"""Stack and project files read as the CLI reads them (go-yaml v3 into config strings; typed config rules)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PROJECTS

from kasbah.engine import preview
from kasbah.errors import PreviewError
from kasbah.yamlgo import config_string, go_float, load, resolve_plain

TYPED = PROJECTS / "typed_config"


def test_yaml12_scalars_reach_the_program_as_the_cli_passes_them() -> None:
    r = preview(PROJECTS / "yaml12", "dev", policy_packs=[])
    assert r.outputs == {
        "yes": "yes",
        "no": "no",
        "on": "on",
        "off": "off",
        "mode": "493",  # yaml.v3 still reads 0755 as octal
        "accountUnquoted": "1227133513",  # so an unquoted account id with a leading 0 changes: quote it
        "accountQuoted": "011111111111",
        "date": "2027-02-28 00:00:00 +0000 UTC",  # a time.Time, printed by Go: never a crash
        "flag": "true",
        "ratio": "1.5",
        "big": "1000",
        "object": '{"a":[1,"x\\u003cy"],"b":2,"when":"2026-12-01 00:00:00 +0000 UTC"}',
    }


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("yes", "yes"),
        ("Off", "Off"),
        ("True", True),
        ("FALSE", False),
        ("~", None),
        ("0x1F", 31),
        ("0o17", 15),
        ("0b101", 5),
        ("017", 15),
        ("08", 8.0),
        ("-0755", -493),
        ("1_000", 1000),
        ("1e3", 1000.0),
        ("2027-02-30", "2027-02-30"),  # not a date: a string, as time.Parse refuses it
        ("12:30", "12:30"),
    ],
)
def test_plain_scalars_resolve_as_yaml_v3(text: str, value: object) -> None:
    assert resolve_plain(text) == value


def test_quoted_and_tagged_scalars_stay_strings(tmp_path: Path) -> None:
    data = load(tmp_path / "x.yaml", "a: \"0755\"\nb: !!str 0755\nc: 'yes'\n")
    assert data == {"a": "0755", "b": "0755", "c": "yes"}


def test_go_float_and_json_forms() -> None:
    assert [go_float(x) for x in (2.0, 1.5, 1e21, 1e-7, 123456789012.0, 0.00001)] == [
        "2",
        "1.5",
        "1e+21",
        "1e-07",
        "123456789012",
        "0.00001",
    ]
    assert config_string({"b": [1.0, True], "a": "<&>"}) == '{"a":"\\u003c\\u0026\\u003e","b":[1,true]}'


def test_typed_config_defaults_items_and_shorthand() -> None:
    r = preview(TYPED, "dev", policy_packs=[])
    assert r.outputs == {"count": 2, "zones": ["a", "b"], "shorthand": "3"}
    assert preview(TYPED, "countstring", policy_packs=[]).outputs["count"] == 7  # "7" parses as an integer


@pytest.mark.parametrize(
    ("stack", "message"),
    [
        ("baditems", "stack 'baditems' with configuration key 'zones' must be of type 'List<string>'"),
        ("countfloat", "stack 'countfloat' with configuration key 'count' must be of type 'integer'"),
        (
            "plainsecret",
            "stack 'plainsecret' with configuration key 'password' must be encrypted as it's secret",
        ),
        ("missing", "stack 'missing' is missing configuration value 'zones'"),
    ],
)
def test_typed_config_is_validated_as_the_cli_validates_it(stack: str, message: str) -> None:
    with pytest.raises(PreviewError) as err:
        preview(TYPED, stack, policy_packs=[])
    assert message in err.value.message


def test_a_key_with_both_default_and_value_is_refused() -> None:
    with pytest.raises(PreviewError) as err:
        preview(PROJECTS / "both_default_value", "dev", policy_packs=[])
    assert "project config 'size' cannot have both a 'default' and 'value' attribute" in err.value.message


def test_other_namespaces_may_only_set_a_value(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text(
        "name: p\nruntime: python\nconfig:\n  aws:region:\n    default: eu-west-3\n"
    )
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text("")
    with pytest.raises(
        PreviewError, match="is not namespaced by the project and should not define a default value"
    ):
        preview(tmp_path, "dev", policy_packs=[])
