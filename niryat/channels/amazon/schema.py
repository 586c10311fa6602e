"""Amazon's product type schemas, and checking a listing against one without the network.

Amazon publishes, per marketplace and product type, a JSON Schema (draft 2019-09, with Amazon's
own meta-schema) of the attributes a listing takes: which are required, and the limits of each
value. Text limits are `maxUtf8ByteLength`, counted in UTF-8 bytes: a Devanagari letter is 3.

`check` (the schema compiled once into Python by `compile_schema`) evaluates the part of JSON
Schema these schemas use (type, required, properties, items, min/maxItems, enum, const, lengths
in characters and in bytes, pattern, minimum/maximum, allOf/anyOf/not/if-then-else, contains)
and ignores the rest (`selectors`, `editable`, titles, additionalProperties), so that no schema
library is needed. The schema itself comes from the product type definition
(`SchemaCache`, filled on first submission), or from the copy bundled in `schemas/`: a subset of
Amazon's India schema for the product types we use, so that `validate` works before any account
has been connected.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from niryat.channels.amazon.marketplaces import Marketplace

BUNDLED = Path(__file__).parent / "schemas"
# In the bundled (India) copies: attributes only Amazon.in asks for.
INDIA_ONLY = ("external_product_information",)

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class SchemaError:
    path: Path_  # where in the attributes: ("item_name", 1, "value")
    keyword: str  # the schema keyword that failed: "required", "maxUtf8ByteLength"...
    limit: Any = None  # the keyword's value (for "required": the missing name)
    actual: Any = None  # what was found (a byte count, a value)


@cache
def bundled(product_type: str) -> dict[str, Any]:
    path = BUNDLED / f"{product_type}.json"
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def schema_for(marketplace: Marketplace, product_type: str) -> dict[str, Any]:
    """The cached definition from Amazon if we have one, else our bundled copy."""
    from niryat.channels.models import SchemaCache

    row = SchemaCache.objects.filter(channel="amazon", key=cache_key(marketplace, product_type))
    cached = row.values_list("schema", flat=True).first()
    if cached:
        return dict(cached)
    schema = bundled(product_type)
    if marketplace.country != "IN":
        schema = _for_marketplace(schema, marketplace)
        schema["required"] = [name for name in schema["required"] if name not in INDIA_ONLY]
    return schema


def _for_marketplace(schema: Any, marketplace: Marketplace) -> Any:
    """The bundled India copy, with another marketplace's id, language and currency."""
    if isinstance(schema, list):
        return [_for_marketplace(item, marketplace) for item in schema]
    if not isinstance(schema, dict):
        return schema
    copy = {key: _for_marketplace(value, marketplace) for key, value in schema.items()}
    for name, value in (
        ("marketplace_id", marketplace.id),
        ("language_tag", marketplace.language_tag),
        ("currency", marketplace.currency),
    ):
        if name in copy.get("properties", {}):
            copy["properties"][name] = {"type": "string", "enum": [value]}
    return copy


def cache_key(marketplace: Marketplace, product_type: str) -> str:
    return f"{marketplace.country}:{product_type}"


Validator = Callable[[Any, Path_], list[SchemaError]]


# Compiled schemas by their JSON text: a product type's schema is compiled once per process
# (it takes a tenth of a second or so), however many channel instances check against it.
COMPILED_KEPT = 64
_compiled: dict[str, Validator] = {}
_compiling = threading.Lock()


def check(schema: dict[str, Any], value: Any, path: Path_ = ()) -> list[SchemaError]:
    """Where `value` breaks `schema` (an empty list: it fits)."""
    return compile_schema(schema)(value, path)


def compile_schema(schema: dict[str, Any]) -> Validator:
    """The validator of `schema` (see `_compile`), made once per schema in this process."""
    key = json.dumps(schema, sort_keys=True, ensure_ascii=False)
    with _compiling:
        validator = _compiled.get(key)
        if validator is None:
            validator = _compile(schema)
            if len(_compiled) >= COMPILED_KEPT:
                del _compiled[next(iter(_compiled))]  # the oldest
            _compiled[key] = validator
    return validator


def _compile(schema: dict[str, Any]) -> Validator:
    """`schema` turned into a function of (value, path) that gives what a plain walk gives.

    A listing is checked once per SKU, thousands of SKUs a batch, and a plain walk of the schema
    spends most of its time asking every node for every keyword it might hold. So the schema is
    turned once into Python: a function per node holding only the tests of that node's own
    keywords, with its patterns compiled and its limits bound. The errors come in the order of a
    plain walk: type (which ends the node), const, enum, the keywords of the value's kind
    (text, number, array, object), allOf, anyOf, not, if/then/else.

    Nothing from the schema is written into the generated source: names, limits and patterns are
    bound as constants (`k0`, `k1`...), so a schema fetched from Amazon cannot inject code.
    """
    compiler = _Compiler()
    root = compiler.node(schema)
    source = "\n".join(compiler.lines)
    exec(compile(source, "<amazon schema>", "exec"), compiler.namespace)  # noqa: S102
    node = compiler.namespace[root]

    def validator(value: Any, path: Path_) -> list[SchemaError]:
        errors: list[SchemaError] = []
        node(value, path, errors)
        return errors

    return validator


# JSON Schema's types as Python tests of `value`; "integer" and "number" exclude bool (an int).
_TYPE_TESTS = {
    "object": "isinstance(value, dict)",
    "array": "isinstance(value, list)",
    "string": "isinstance(value, str)",
    "boolean": "isinstance(value, bool)",
    "null": "value is None",
    "integer": "(isinstance(value, int) and not isinstance(value, bool))",
    "number": "(isinstance(value, int | float) and not isinstance(value, bool))",
}
_KIND_TESTS = {
    "string": "isinstance(value, str)",
    "number": "(isinstance(value, int | float) and not isinstance(value, bool))",
    "array": "isinstance(value, list)",
    "object": "isinstance(value, dict)",
}
# A one-kind "type" that makes the kind's test needless once the type test has passed.
_TYPE_KIND = {"string": "string", "integer": "number", "number": "number", "array": "array"}
_TYPE_KIND["object"] = "object"


class _Compiler:
    """Writes one function per schema node: `def vN(value, path, errors)`, appending errors."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {"SchemaError": SchemaError}
        self.lines: list[str] = []
        self.count = 0

    def constant(self, value: Any) -> str:
        name = f"k{self.count}"
        self.count += 1
        self.namespace[name] = value
        return name

    def node(self, schema: dict[str, Any]) -> str:
        name = f"v{self.count}"
        self.count += 1
        body: list[str] = []
        kind = schema.get("type")
        known = None
        if kind is not None:
            kinds = [kind] if isinstance(kind, str) else list(kind)
            tests = [_TYPE_TESTS[k] for k in kinds if k in _TYPE_TESTS] or ["False"]
            body += [
                f"if not ({' or '.join(tests)}):",
                f"    errors.append(SchemaError(path, 'type', {self.constant(kind)}, value))",
                "    return",
            ]
            if len(kinds) == 1:
                known = _TYPE_KIND.get(kinds[0])
        if "const" in schema:
            const = self.constant(schema["const"])
            body += [
                f"if value != {const}:",
                f"    errors.append(SchemaError(path, 'const', {const}, value))",
            ]
        if "enum" in schema:
            enum = self.constant(schema["enum"])
            body += [
                f"if value not in {enum}:",
                f"    errors.append(SchemaError(path, 'enum', {enum}, value))",
            ]
        branches = [
            (kind_name, lines)
            for kind_name, lines in (
                ("string", self.string(schema)),
                ("number", self.number(schema)),
                ("array", self.array(schema)),
                ("object", self.object(schema)),
            )
            if lines and (known is None or known == kind_name)
        ]
        for kind_name, lines in branches:
            if known is not None:
                body += lines  # the type test above has settled the kind
            else:
                body += [f"if {_KIND_TESTS[kind_name]}:", *_indent(lines)]
        for subschema in schema.get("allOf", []):
            body.append(f"{self.node(subschema)}(value, path, errors)")
        if "anyOf" in schema:
            tries = [self.node(subschema) for subschema in schema["anyOf"]]
            body.append("tries = []")
            for each in tries:
                body += ["tried = []", f"{each}(value, path, tried)", "tries.append(tried)"]
            body += ["if all(tries):", "    errors += tries[0]"]
        if "not" in schema:
            negated, limit = self.node(schema["not"]), self.constant(schema["not"])
            body += [
                "tried = []",
                f"{negated}(value, path, tried)",
                "if not tried:",
                f"    errors.append(SchemaError(path, 'not', {limit}, value))",
            ]
        if "if" in schema:
            condition = self.node(schema["if"])
            then = self.node(schema["then"]) if "then" in schema else None
            otherwise = self.node(schema["else"]) if "else" in schema else None
            body += ["tried = []", f"{condition}(value, path, tried)"]
            body += ["if not tried:", f"    {then}(value, path, errors)" if then else "    pass"]
            if otherwise:
                body += ["else:", f"    {otherwise}(value, path, errors)"]
        self.lines += [f"def {name}(value, path, errors):", *_indent(body or ["pass"]), ""]
        return name

    def string(self, schema: dict[str, Any]) -> list[str]:
        lines: list[str] = []
        if "maxUtf8ByteLength" in schema or "minUtf8ByteLength" in schema:
            lines.append("size = len(value.encode('utf-8'))")
            for keyword, sign in (("maxUtf8ByteLength", ">"), ("minUtf8ByteLength", "<")):
                if keyword in schema:
                    limit = self.constant(schema[keyword])
                    lines += [
                        f"if size {sign} {limit}:",
                        f"    errors.append(SchemaError(path, '{keyword}', {limit}, size))",
                    ]
        for keyword, sign in (("maxLength", ">"), ("minLength", "<")):
            if keyword in schema:
                limit = self.constant(schema[keyword])
                lines += [
                    f"if len(value) {sign} {limit}:",
                    f"    errors.append(SchemaError(path, '{keyword}', {limit}, len(value)))",
                ]
        if "pattern" in schema:
            pattern = self.constant(schema["pattern"])
            search = self.constant(re.compile(schema["pattern"]).search)
            lines += [
                f"if not {search}(value):",
                f"    errors.append(SchemaError(path, 'pattern', {pattern}, value))",
            ]
        return lines

    def number(self, schema: dict[str, Any]) -> list[str]:
        lines: list[str] = []
        for keyword, sign in (("minimum", "<"), ("maximum", ">")):
            if keyword in schema:
                limit = self.constant(schema[keyword])
                lines += [
                    f"if value {sign} {limit}:",
                    f"    errors.append(SchemaError(path, '{keyword}', {limit}, value))",
                ]
        return lines

    def array(self, schema: dict[str, Any]) -> list[str]:
        lines: list[str] = []
        for keyword, sign in (("minItems", "<"), ("maxItems", ">")):
            if keyword in schema:
                limit = self.constant(schema[keyword])
                lines += [
                    f"if len(value) {sign} {limit}:",
                    f"    errors.append(SchemaError(path, '{keyword}', {limit}, len(value)))",
                ]
        if "items" in schema:
            items = self.node(schema["items"])
            lines += [
                "for index, item in enumerate(value):",
                f"    {items}(item, (*path, index), errors)",
            ]
        if "contains" in schema:
            contains, limit = self.node(schema["contains"]), self.constant(schema["contains"])
            # Broken when no item fits (an empty array too).
            lines += [
                "for item in value:",
                "    tried = []",
                f"    {contains}(item, (), tried)",
                "    if not tried:",
                "        break",
                "else:",
                f"    errors.append(SchemaError(path, 'contains', {limit}, value))",
            ]
        return lines

    def object(self, schema: dict[str, Any]) -> list[str]:
        lines: list[str] = []
        for required in schema.get("required", []):
            name = self.constant(required)
            lines += [
                f"if {name} not in value:",
                f"    errors.append(SchemaError((*path, {name}), 'required', {name}))",
            ]
        for property_name, subschema in schema.get("properties", {}).items():
            name, validator = self.constant(property_name), self.node(subschema)
            lines += [
                f"if {name} in value:",
                f"    {validator}(value[{name}], (*path, {name}), errors)",
            ]
        return lines


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]
