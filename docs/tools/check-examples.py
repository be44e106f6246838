#!/usr/bin/env python3
"""Check every example in docs/backend-api.yaml against its schema.

Usage:
    check-examples.py SPEC [--emit OUT.json] [--validate IN.json]

Without options: validate every `example` / `examples` in the document (schemas,
parameters, headers, request and response bodies, and every entry of
components/examples, which must be used somewhere) against the schema it belongs to,
and check that every operation has an operationId (camelCase, unique), summary,
description and tags, declares 401 (unless unauthenticated), 404 (when its path has a
parameter), 429 and 503, and takes an Idempotency-Key when it answers 201.

Validation is stricter than the contract itself: object schemas are treated as closed
(no members beyond `properties`, unless the schema says `additionalProperties`), so
an example with a misspelt member fails instead of passing silently. `date-time`
must be RFC 3339 in UTC with `Z`; `date` is YYYY-MM-DD.

--emit OUT.json   also write what the Swift tests need to compare the document with the
                  Swift types: {"examples": {SchemaName: [value, ...]}, "kinds":
                  {SchemaName: "object"|"enum"|"other"}, "enums": {SchemaName: [...]},
                  "maximal": {SchemaName: value with every declared member filled in},
                  "operations": [[METHOD, path, operationId], ...]}.
--validate IN.json  validate {SchemaName: [value, ...]} (JSON the Swift types encoded)
                  against components/schemas/SchemaName, with the same strictness.

Exit status 0 when everything conforms, 1 when something does not (each problem is
printed on stderr), 2 on usage errors or a missing Python module.
"""

import copy
import datetime
import json
import re
import sys

try:
    import yaml
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012
except ImportError as error:  # pragma: no cover - environment problem
    sys.stderr.write(f"check-examples: {error}; pip install pyyaml jsonschema\n")
    sys.exit(2)

BASE = "urn:chargekit:backend-api"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# ---------------------------------------------------------------------------
# formats

DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$")

format_checker = jsonschema.FormatChecker()


@format_checker.checks("date-time")
def is_date_time(value):
    if not isinstance(value, str):
        return True
    if not DATE_TIME.match(value):
        return False
    datetime.datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S")  # raises on 2025-02-30
    return True


@format_checker.checks("date", raises=ValueError)
def is_date(value):
    if not isinstance(value, str):
        return True
    if not DATE.match(value):
        return False
    datetime.date.fromisoformat(value)
    return True


@format_checker.checks("uri")
def is_uri(value):
    return not isinstance(value, str) or bool(URI.match(value))


# ---------------------------------------------------------------------------
# the document, made strict


def pointer_escape(token):
    return str(token).replace("~", "~0").replace("/", "~1")


def resolve_local(doc, ref):
    if not ref.startswith("#/"):
        raise ValueError(f"only local references are supported: {ref}")
    node = doc
    for token in ref[2:].split("/"):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


def is_object_schema(schema):
    return isinstance(schema, dict) and (schema.get("type") == "object" or "properties" in schema)


def strict(doc):
    """A copy of the document whose object schemas reject undeclared members."""
    doc = copy.deepcopy(doc)

    def merge_all_of(schema):
        parts = [resolve_local(doc, p["$ref"]) if "$ref" in p else p for p in schema["allOf"]]
        if not all(is_object_schema(p) for p in parts):
            return
        merged = {"type": "object", "properties": {}, "required": []}
        for part in parts:
            merged["properties"].update(copy.deepcopy(part.get("properties", {})))
            merged["required"] += [r for r in part.get("required", []) if r not in merged["required"]]
        del schema["allOf"]
        schema.update(merged)

    def close(node):
        if isinstance(node, dict):
            if "allOf" in node:
                merge_all_of(node)
            if is_object_schema(node) and "additionalProperties" not in node and "properties" in node:
                node["additionalProperties"] = False
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(doc.get("components", {}).get("schemas", {}))
    close(doc.get("paths", {}))
    close(doc.get("components", {}).get("parameters", {}))
    close(doc.get("components", {}).get("headers", {}))
    close(doc.get("components", {}).get("responses", {}))
    return doc


class Checker:
    def __init__(self, doc):
        self.doc = doc
        self.strict_doc = strict(doc)
        resource = Resource.from_contents(self.strict_doc, default_specification=DRAFT202012)
        self.registry = Registry().with_resource(BASE, resource)
        self.errors = []
        self.count = 0
        self.emitted = {}
        self.used_examples = set()

    def validate(self, value, schema_pointer, where):
        """Validate `value` against the schema at JSON pointer `schema_pointer` of the document."""
        self.count += 1
        validator = jsonschema.Draft202012Validator(
            {"$ref": f"{BASE}#{schema_pointer}"},
            registry=self.registry,
            format_checker=format_checker,
        )
        for error in sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path)):
            at = "/" + "/".join(pointer_escape(p) for p in error.absolute_path)
            self.errors.append(f"{where}: at {at}: {error.message}")

    def emit(self, schema, value):
        """Remember an example of a component schema (schema given as a $ref object)."""
        ref = schema.get("$ref", "") if isinstance(schema, dict) else ""
        prefix = "#/components/schemas/"
        if ref.startswith(prefix):
            name = ref[len(prefix):]
            values = self.emitted.setdefault(name, [])
            if value not in values:
                values.append(value)

    # -- the places examples live -------------------------------------------------

    def check_schema_examples(self):
        def walk(node, pointer):
            if isinstance(node, dict):
                if "example" in node:
                    self.validate(node["example"], pointer, f"{pointer}/example")
                if isinstance(node.get("examples"), list):
                    for i, value in enumerate(node["examples"]):
                        self.validate(value, pointer, f"{pointer}/examples/{i}")
                for key, value in node.items():
                    if key not in ("example", "examples", "enum", "const", "default"):
                        walk(value, f"{pointer}/{pointer_escape(key)}")
            elif isinstance(node, list):
                for i, value in enumerate(node):
                    walk(value, f"{pointer}/{i}")

        for name, schema in self.doc.get("components", {}).get("schemas", {}).items():
            pointer = f"/components/schemas/{pointer_escape(name)}"
            walk(schema, pointer)
            for value in schema.get("examples", []) if isinstance(schema.get("examples"), list) else []:
                self.emit({"$ref": f"#{pointer}"}, value)
            if "example" in schema:
                self.emit({"$ref": f"#{pointer}"}, schema["example"])

    def check_parameter_or_header(self, obj, pointer):
        if "$ref" in obj:
            return
        if "schema" not in obj:
            return
        schema_pointer = f"{pointer}/schema"
        if "example" in obj:
            self.validate(obj["example"], schema_pointer, f"{pointer}/example")
        for key, example in obj.get("examples", {}).items():
            self.validate(self.example_value(example), schema_pointer, f"{pointer}/examples/{key}")

    def example_value(self, example):
        if "$ref" in example:
            self.used_examples.add(example["$ref"])
            example = resolve_local(self.doc, example["$ref"])
        return example.get("value")

    def check_content(self, content, pointer):
        for media_type, media in content.items():
            media_pointer = f"{pointer}/{pointer_escape(media_type)}"
            if "schema" not in media:
                continue
            schema_pointer = f"{media_pointer}/schema"
            samples = []
            if "example" in media:
                samples.append((media["example"], f"{media_pointer}/example"))
            for key, example in media.get("examples", {}).items():
                samples.append((self.example_value(example), f"{media_pointer}/examples/{key}"))
            for value, where in samples:
                self.validate(value, schema_pointer, where)
                self.emit(media["schema"], value)

    def check_response(self, response, pointer):
        if "$ref" in response:
            return
        for name, header in response.get("headers", {}).items():
            self.check_parameter_or_header(header, f"{pointer}/headers/{pointer_escape(name)}")
        self.check_content(response.get("content", {}), f"{pointer}/content")

    def check_paths(self):
        for path, item in self.doc.get("paths", {}).items():
            item_pointer = f"/paths/{pointer_escape(path)}"
            for i, parameter in enumerate(item.get("parameters", [])):
                self.check_parameter_or_header(parameter, f"{item_pointer}/parameters/{i}")
            for method in METHODS:
                if method not in item:
                    continue
                op = item[method]
                op_pointer = f"{item_pointer}/{method}"
                for i, parameter in enumerate(op.get("parameters", [])):
                    self.check_parameter_or_header(parameter, f"{op_pointer}/parameters/{i}")
                body = op.get("requestBody")
                if body and "$ref" not in body:
                    self.check_content(body.get("content", {}), f"{op_pointer}/requestBody/content")
                for status, response in op.get("responses", {}).items():
                    self.check_response(response, f"{op_pointer}/responses/{pointer_escape(status)}")

    def check_components(self):
        components = self.doc.get("components", {})
        for name, parameter in components.get("parameters", {}).items():
            self.check_parameter_or_header(parameter, f"/components/parameters/{pointer_escape(name)}")
        for name, header in components.get("headers", {}).items():
            self.check_parameter_or_header(header, f"/components/headers/{pointer_escape(name)}")
        for name, response in components.get("responses", {}).items():
            self.check_response(response, f"/components/responses/{pointer_escape(name)}")
        for name in components.get("examples", {}):
            ref = f"#/components/examples/{pointer_escape(name)}"
            if ref not in self.used_examples:
                self.errors.append(f"{ref}: never used, so never checked against a schema")

    def check_operations(self):
        """Every operation is documented and declares the errors every operation can meet."""
        seen = set()
        for path, item in self.doc.get("paths", {}).items():
            for method in METHODS:
                if method not in item:
                    continue
                op = item[method]
                where = f"{method.upper()} {path}"
                for key in ("operationId", "summary", "description", "tags"):
                    if not op.get(key):
                        self.errors.append(f"{where}: no {key}")
                op_id = op.get("operationId", "")
                if op_id in seen:
                    self.errors.append(f"{where}: operationId {op_id} used twice")
                seen.add(op_id)
                if op_id and not re.match(r"^[a-z][A-Za-z0-9]*$", op_id):
                    self.errors.append(f"{where}: operationId {op_id} is not camelCase")
                required = ["429", "503"]
                if op.get("security", None) != []:
                    required.append("401")
                if "{" in path:
                    required.append("404")
                for status in required:
                    if status not in op.get("responses", {}):
                        self.errors.append(f"{where}: no {status} response")
                if method == "post" and "201" in op.get("responses", {}):
                    names = [p.get("$ref", p.get("name", "")) for p in op.get("parameters", [])]
                    if not any("IdempotencyKey" in n or n == "Idempotency-Key" for n in names):
                        self.errors.append(f"{where}: creates something but takes no Idempotency-Key")

    def run(self):
        self.check_schema_examples()
        self.check_paths()
        self.check_components()
        self.check_operations()

    # -- what the Swift side needs -------------------------------------------------

    def kinds_and_enums(self):
        kinds, enums = {}, {}
        for name, schema in self.doc.get("components", {}).get("schemas", {}).items():
            if "enum" in schema:
                kinds[name] = "enum"
                enums[name] = schema["enum"]
            elif any("enum" in part for part in schema.get("anyOf", [])):
                kinds[name] = "enum"
                enums[name] = [v for part in schema["anyOf"] for v in part.get("enum", [])]
            elif is_object_schema(schema) or "allOf" in schema:
                kinds[name] = "object"
            else:
                kinds[name] = "other"
        return kinds, enums

    def synthesize(self, schema, depth=0):
        """A value with every declared member filled in, to exercise every property of a type."""
        if depth > 20:
            raise ValueError("schema nests too deeply to synthesize")
        if "$ref" in schema:
            return self.synthesize(resolve_local(self.doc, schema["$ref"]), depth + 1)
        if isinstance(schema.get("examples"), list) and schema["examples"]:
            return copy.deepcopy(schema["examples"][0])
        if "enum" in schema:
            return schema["enum"][0]
        if "allOf" in schema:
            merged = {}
            for part in schema["allOf"]:
                merged.update(self.synthesize(part, depth + 1))
            return merged
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return self.synthesize(schema[key][0], depth + 1)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next(k for k in kind if k != "null")
        if kind == "object" or "properties" in schema:
            if "properties" in schema:
                return {name: self.synthesize(sub, depth + 1) for name, sub in schema["properties"].items()}
            extra = schema.get("additionalProperties", True)
            return {"key": self.synthesize(extra, depth + 1) if isinstance(extra, dict) else "value"}
        if kind == "array":
            return [self.synthesize(schema.get("items", {}), depth + 1)]
        if kind == "string":
            formats = {"date-time": "2025-01-02T03:04:05.678Z", "date": "2025-01-02",
                       "uuid": "00000000-0000-4000-8000-000000000001",
                       "uri": "https://chargekit.dev/x", "uri-reference": "/v1/x"}
            if schema.get("format") in formats:
                return formats[schema["format"]]
            if "pattern" in schema:
                raise ValueError(f"give the schema with pattern {schema['pattern']} an example to synthesize")
            if schema.get("contentEncoding") == "base64":
                return "AAEC"
            return "text".ljust(schema.get("minLength", 1), "x")
        if kind == "integer":
            return max(schema.get("minimum", 0), 1) if schema.get("maximum", 1) >= 1 else schema.get("minimum", 0)
        if kind == "number":
            return 1.5 if schema.get("maximum", 2) >= 1.5 and schema.get("minimum", 0) <= 1.5 else schema.get("minimum", 0)
        if kind == "boolean":
            return True
        return "any value"

    def maximal(self):
        """One synthesized value per object schema, checked against that schema."""
        result = {}
        for name, kind in self.kinds_and_enums()[0].items():
            if kind != "object":
                continue
            pointer = f"/components/schemas/{pointer_escape(name)}"
            try:
                value = self.synthesize({"$ref": f"#{pointer}"})
            except ValueError as error:
                self.errors.append(f"{pointer}: {error}")
                continue
            self.validate(value, pointer, f"synthesized {name}")
            result[name] = value
        return result

    def operations(self):
        result = []
        for path, item in self.doc.get("paths", {}).items():
            for method in METHODS:
                if method in item:
                    result.append([method.upper(), path, item[method].get("operationId", "")])
        return result


def main(argv):
    args = argv[1:]
    if not args or args[0].startswith("-"):
        sys.stderr.write(__doc__)
        return 2
    spec, emit_path, validate_path = args[0], None, None
    rest = args[1:]
    while rest:
        option = rest.pop(0)
        if option == "--emit" and rest:
            emit_path = rest.pop(0)
        elif option == "--validate" and rest:
            validate_path = rest.pop(0)
        else:
            sys.stderr.write(f"check-examples: unknown option {option}\n")
            return 2

    with open(spec, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    checker = Checker(doc)
    checker.run()

    if validate_path:
        with open(validate_path, encoding="utf-8") as f:
            encoded = json.load(f)
        schemas = doc.get("components", {}).get("schemas", {})
        for name, values in encoded.items():
            if name not in schemas:
                checker.errors.append(f"{validate_path}: no schema {name} in the document")
                continue
            for i, value in enumerate(values):
                checker.validate(value, f"/components/schemas/{pointer_escape(name)}",
                                 f"Swift encoding of {name} #{i}")

    if emit_path:
        kinds, enums = checker.kinds_and_enums()
        with open(emit_path, "w", encoding="utf-8") as f:
            json.dump({"examples": checker.emitted, "maximal": checker.maximal(), "kinds": kinds,
                       "enums": enums, "operations": checker.operations()}, f, indent=1, ensure_ascii=False)

    for error in checker.errors:
        sys.stderr.write(error + "\n")
    print(f"check-examples: {checker.count} examples checked, {len(checker.errors)} problems")
    return 1 if checker.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
