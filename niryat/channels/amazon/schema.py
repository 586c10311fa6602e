"""Amazon's product type schemas, and checking a listing against one without the network.

Amazon publishes, per marketplace and product type, a JSON Schema (draft 2019-09, with Amazon's
own meta-schema) of the attributes a listing takes: which are required, and the limits of each
value. Text limits are `maxUtf8ByteLength`, counted in UTF-8 bytes: a Devanagari letter is 3.

`check` evaluates the part of JSON Schema these schemas use (type, required, properties, items,
min/maxItems, enum, const, lengths in characters and in bytes, pattern, minimum/maximum,
allOf/anyOf/not/if-then-else, contains) and ignores the rest (`selectors`, `editable`, titles),
so that no schema library is needed. The schema itself comes from the product type definition
(`SchemaCache`, filled on first submission), or from the copy bundled in `schemas/`: a subset of
Amazon's India schema for the product types we use, so that `validate` works before any account
has been connected.
"""

from __future__ import annotations

import json
import re
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


def _type_ok(value: Any, kind: str | list[str]) -> bool:
    kinds = [kind] if isinstance(kind, str) else kind
    for k in kinds:
        if k == "object" and isinstance(value, dict):
            return True
        if k == "array" and isinstance(value, list):
            return True
        if k == "string" and isinstance(value, str):
            return True
        if k == "boolean" and isinstance(value, bool):
            return True
        if k == "integer" and isinstance(value, int) and not isinstance(value, bool):
            return True
        if k == "number" and isinstance(value, int | float) and not isinstance(value, bool):
            return True
        if k == "null" and value is None:
            return True
    return False


def check(schema: dict[str, Any], value: Any, path: Path_ = ()) -> list[SchemaError]:
    """Where `value` breaks `schema` (an empty list: it fits)."""
    if "type" in schema and not _type_ok(value, schema["type"]):
        return [SchemaError(path, "type", schema["type"], value)]
    errors: list[SchemaError] = []
    if "const" in schema and value != schema["const"]:
        errors.append(SchemaError(path, "const", schema["const"], value))
    if "enum" in schema and value not in schema["enum"]:
        errors.append(SchemaError(path, "enum", schema["enum"], value))
    if isinstance(value, str):
        errors += _check_string(schema, value, path)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(SchemaError(path, "minimum", schema["minimum"], value))
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(SchemaError(path, "maximum", schema["maximum"], value))
    elif isinstance(value, list):
        errors += _check_array(schema, value, path)
    elif isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                errors.append(SchemaError((*path, name), "required", name))
        for name, subschema in schema.get("properties", {}).items():
            if name in value:
                errors += check(subschema, value[name], (*path, name))
    for subschema in schema.get("allOf", []):
        errors += check(subschema, value, path)
    if "anyOf" in schema:
        tries = [check(subschema, value, path) for subschema in schema["anyOf"]]
        if all(tries):
            errors += tries[0]
    if "not" in schema and not check(schema["not"], value, path):
        errors.append(SchemaError(path, "not", schema["not"], value))
    if "if" in schema:
        branch = "then" if not check(schema["if"], value, path) else "else"
        if branch in schema:
            errors += check(schema[branch], value, path)
    return errors


def _check_string(schema: dict[str, Any], value: str, path: Path_) -> list[SchemaError]:
    errors = []
    size = len(value.encode("utf-8"))
    if "maxUtf8ByteLength" in schema and size > schema["maxUtf8ByteLength"]:
        errors.append(SchemaError(path, "maxUtf8ByteLength", schema["maxUtf8ByteLength"], size))
    if "minUtf8ByteLength" in schema and size < schema["minUtf8ByteLength"]:
        errors.append(SchemaError(path, "minUtf8ByteLength", schema["minUtf8ByteLength"], size))
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        errors.append(SchemaError(path, "maxLength", schema["maxLength"], len(value)))
    if "minLength" in schema and len(value) < schema["minLength"]:
        errors.append(SchemaError(path, "minLength", schema["minLength"], len(value)))
    if "pattern" in schema and not re.search(schema["pattern"], value):
        errors.append(SchemaError(path, "pattern", schema["pattern"], value))
    return errors


def _check_array(schema: dict[str, Any], value: list[Any], path: Path_) -> list[SchemaError]:
    errors = []
    if "minItems" in schema and len(value) < schema["minItems"]:
        errors.append(SchemaError(path, "minItems", schema["minItems"], len(value)))
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        errors.append(SchemaError(path, "maxItems", schema["maxItems"], len(value)))
    if "items" in schema:
        for index, item in enumerate(value):
            errors += check(schema["items"], item, (*path, index))
    if "contains" in schema and all(check(schema["contains"], item) for item in value):
        errors.append(SchemaError(path, "contains", schema["contains"], value))
    return errors
