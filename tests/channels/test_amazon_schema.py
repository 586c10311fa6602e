"""The Amazon schema check, compiled once into Python: every keyword it evaluates gives the
same errors, in the same order, as the schema's plain reading says."""

from __future__ import annotations

from typing import Any

import pytest

from niryat.channels.amazon.schema import SchemaError, check, compile_schema

TITLE = {
    "type": "array",
    "minItems": 1,
    "maxItems": 2,
    "items": {
        "type": "object",
        "required": ["value", "language_tag"],
        "properties": {
            "value": {"type": "string", "minLength": 1, "maxUtf8ByteLength": 12},
            "language_tag": {"type": "string", "enum": ["en_IN", "hi_IN"]},
        },
    },
}


@pytest.mark.parametrize(
    ("schema", "value", "errors"),
    [
        ({"type": "string"}, 3, [SchemaError((), "type", "string", 3)]),
        ({"type": ["string", "null"]}, None, []),
        ({"type": "integer"}, True, [SchemaError((), "type", "integer", True)]),
        ({"type": "number", "minimum": 1}, 0.5, [SchemaError((), "minimum", 1, 0.5)]),
        ({"maximum": 10}, 11, [SchemaError((), "maximum", 10, 11)]),
        ({"maximum": 10}, "eleven", []),
        ({"const": True}, False, [SchemaError((), "const", True, False)]),
        (
            {"pattern": "^https://"},
            "http://x",
            [SchemaError((), "pattern", "^https://", "http://x")],
        ),
        ({"maxLength": 3, "minLength": 2}, "abcd", [SchemaError((), "maxLength", 3, 4)]),
        ({"minUtf8ByteLength": 4}, "ab", [SchemaError((), "minUtf8ByteLength", 4, 2)]),
        ({"not": {"const": 1}}, 1, [SchemaError((), "not", {"const": 1}, 1)]),
        ({"anyOf": [{"type": "string"}, {"type": "integer"}]}, 2, []),
        (
            {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            None,
            [SchemaError((), "type", "string", None)],
        ),
        (
            {"contains": {"const": 1}},
            [2, 3],
            [SchemaError((), "contains", {"const": 1}, [2, 3])],
        ),
        ({"contains": {"const": 1}}, [2, 1], []),
        ({"contains": {"const": 1}}, [], [SchemaError((), "contains", {"const": 1}, [])]),
        (
            {"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": {"required": ["c"]}},
            {"a": 1},
            [SchemaError(("b",), "required", "b")],
        ),
        (
            {"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": {"required": ["c"]}},
            {},
            [SchemaError(("c",), "required", "c")],
        ),
        (
            {"allOf": [{"minimum": 2}, {"maximum": 0}]},
            1,
            [
                SchemaError((), "minimum", 2, 1),
                SchemaError((), "maximum", 0, 1),
            ],
        ),
    ],
)
def test_each_keyword(schema: dict[str, Any], value: Any, errors: list[SchemaError]) -> None:
    assert check(schema, value) == errors


def test_a_listing_attribute_reports_every_problem_with_its_path() -> None:
    # given: a Hindi title of 5 letters (15 bytes), an unknown language, a third value
    value = [
        {"value": "घोड़ा", "language_tag": "hi_IN"},
        {"value": "", "language_tag": "fr_FR"},
        {"language_tag": "en_IN"},
    ]
    # when
    errors = compile_schema(TITLE)(value, ("item_name",))
    # then
    assert errors == [
        SchemaError(("item_name",), "maxItems", 2, 3),
        SchemaError(("item_name", 0, "value"), "maxUtf8ByteLength", 12, 15),
        SchemaError(("item_name", 1, "value"), "minLength", 1, 0),
        SchemaError(("item_name", 1, "language_tag"), "enum", ["en_IN", "hi_IN"], "fr_FR"),
        SchemaError(("item_name", 2, "value"), "required", "value"),
    ]


def test_names_and_patterns_from_a_schema_are_never_run_as_code() -> None:
    # given: property names and a pattern written to break out of generated source
    hostile = "x'):\n    raise SystemExit(1)\n#"
    pattern = "'\"\n__import__('os')"
    schema = {"required": [hostile], "properties": {hostile: {"pattern": pattern}}}
    # when
    missing = check(schema, {})
    wrong = check(schema, {hostile: "y"})
    # then
    assert missing == [SchemaError((hostile,), "required", hostile)]
    assert wrong == [SchemaError((hostile,), "pattern", pattern, "y")]


def test_a_schema_is_compiled_once() -> None:
    # given
    schema = {"type": "object", "required": ["brand"]}
    # when
    first = compile_schema(schema)
    again = compile_schema({"required": ["brand"], "type": "object"})
    # then
    assert first is again
    assert first({}, ()) == [SchemaError(("brand",), "required", "brand")]
