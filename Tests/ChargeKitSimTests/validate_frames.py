#!/usr/bin/env python3
"""Validate an OCPP-J frame log (JSON lines, as `chargekit sim --ocpp-log` writes) against the
official OCPP JSON schemas shipped in the `ocpp` PyPI package.

Each line: {"time": ..., "direction": "charger->csms" | "csms->charger", "chargerId": ...,
"protocol": "ocpp1.6" | "ocpp2.0.1", "frame": "<the frame's JSON text>"}.
Without "protocol", the version is inferred from the charger's BootNotification.

Checks, per frame:
  CALL        [2, id, action, payload]  payload against the action's request schema
  CALLRESULT  [3, id, payload]          payload against the response schema of the CALL with
                                        that id that went the other way on that connection
  CALLERROR   [4, id, code, text, {}]   shape, and code from the version's error code list
Message ids: 1..36 characters. Every date-time must be RFC 3339; with --strict-time (default
on) also UTC with exactly three fraction digits, as chargekit writes them. Exits 1 on any
problem; prints "N passed, M failed".

Needs: pip install ocpp jsonschema
"""
import argparse
import decimal
import json
import os
import re
import sys

try:
    import jsonschema
    import ocpp
except ImportError as e:  # pragma: no cover
    print(f"validate_frames.py needs the ocpp and jsonschema packages: {e}", file=sys.stderr)
    sys.exit(2)

SCHEMA_ROOT = os.path.join(os.path.dirname(ocpp.__file__))
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
CHARGEKIT_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
ERROR_CODES = {
    "ocpp1.6": {"NotImplemented", "NotSupported", "InternalError", "ProtocolError", "SecurityError",
                "FormationViolation", "PropertyConstraintViolation", "OccurenceConstraintViolation",
                "TypeConstraintViolation", "GenericError"},
    "ocpp2.0.1": {"FormatViolation", "GenericError", "InternalError", "MessageTypeNotSupported", "NotImplemented",
                  "NotSupported", "OccurrenceConstraintViolation", "PropertyConstraintViolation", "ProtocolError",
                  "RpcFrameworkError", "SecurityError", "TypeConstraintViolation"},
}


def make_format_checker(strict_time):
    checker = jsonschema.FormatChecker()

    @checker.checks("date-time")
    def date_time(value):
        if not isinstance(value, str):
            return True
        if strict_time:
            return bool(CHARGEKIT_TIME.match(value))
        return bool(RFC3339.match(value))

    @checker.checks("uri")
    def uri(value):
        if not isinstance(value, str):
            return True
        return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$", value))

    return checker


class Schemas:
    def __init__(self, strict_time):
        self.cache = {}
        self.format_checker = make_format_checker(strict_time)

    def path(self, protocol, action, response):
        if protocol == "ocpp1.6":
            name = f"{action}Response.json" if response else f"{action}.json"
            return os.path.join(SCHEMA_ROOT, "v16", "schemas", name)
        name = f"{action}Response.json" if response else f"{action}Request.json"
        return os.path.join(SCHEMA_ROOT, "v201", "schemas", name)

    def validator(self, protocol, action, response):
        key = (protocol, action, response)
        if key not in self.cache:
            path = self.path(protocol, action, response)
            if not os.path.exists(path):
                self.cache[key] = None
            else:
                with open(path, encoding="utf-8") as f:
                    schema = json.load(f, parse_float=decimal.Decimal)
                cls = jsonschema.Draft4Validator if protocol == "ocpp1.6" else jsonschema.Draft6Validator
                self.cache[key] = cls(schema, format_checker=self.format_checker)
        return self.cache[key]


def infer_protocol(frame):
    if isinstance(frame, list) and len(frame) == 4 and frame[0] == 2 and frame[2] == "BootNotification":
        payload = frame[3]
        if isinstance(payload, dict):
            if "chargingStation" in payload:
                return "ocpp2.0.1"
            if "chargePointVendor" in payload:
                return "ocpp1.6"
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", help="frame log, JSON lines")
    parser.add_argument("--no-strict-time", action="store_true", help="accept any RFC 3339 date-time")
    parser.add_argument("--quiet", action="store_true", help="print only problems and the summary")
    args = parser.parse_args()

    schemas = Schemas(strict_time=not args.no_strict_time)
    protocols = {}
    calls = {}  # (chargerId, direction of the CALL, message id) -> action
    passed = failed = 0
    per_action = {}

    def fail(lineno, entry, why):
        nonlocal failed
        failed += 1
        print(f"line {lineno}: {entry.get('chargerId')} {entry.get('direction')}: {why}\n    {entry.get('frame')}")

    with open(args.log, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                entry = json.loads(line)
                frame = json.loads(entry["frame"], parse_float=decimal.Decimal)
            except (ValueError, KeyError, TypeError) as e:
                failed += 1
                print(f"line {lineno}: not a frame log entry: {e}")
                continue
            charger = entry.get("chargerId")
            direction = entry.get("direction")
            if direction not in ("charger->csms", "csms->charger"):
                fail(lineno, entry, f"bad direction {direction!r}")
                continue
            protocol = entry.get("protocol") or protocols.get(charger) or infer_protocol(frame)
            if protocol not in ERROR_CODES:
                fail(lineno, entry, "unknown OCPP version (no protocol field and no BootNotification seen yet)")
                continue
            protocols[charger] = protocol
            if not isinstance(frame, list) or not frame or frame[0] not in (2, 3, 4):
                fail(lineno, entry, "not an OCPP-J frame")
                continue
            mid = frame[1] if len(frame) > 1 else None
            if not isinstance(mid, str) or not 1 <= len(mid) <= 36:
                fail(lineno, entry, f"message id {mid!r} is not a string of 1..36 characters")
                continue
            other = "csms->charger" if direction == "charger->csms" else "charger->csms"
            if frame[0] == 2:
                if len(frame) != 4 or not isinstance(frame[2], str) or not isinstance(frame[3], dict):
                    fail(lineno, entry, "CALL must be [2, id, action, {payload}]")
                    continue
                action, payload, response = frame[2], frame[3], False
                calls[(charger, direction, mid)] = action
            elif frame[0] == 3:
                if len(frame) != 3 or not isinstance(frame[2], dict):
                    fail(lineno, entry, "CALLRESULT must be [3, id, {payload}]")
                    continue
                action = calls.pop((charger, other, mid), None)
                if action is None:
                    fail(lineno, entry, "CALLRESULT for no CALL in the other direction")
                    continue
                payload, response = frame[2], True
            else:
                ok = (len(frame) == 5 and isinstance(frame[2], str) and isinstance(frame[3], str)
                      and isinstance(frame[4], dict))
                if not ok:
                    fail(lineno, entry, "CALLERROR must be [4, id, code, description, {details}]")
                    continue
                if frame[2] not in ERROR_CODES[protocol]:
                    fail(lineno, entry, f"{frame[2]} is not an {protocol} error code")
                    continue
                if calls.pop((charger, other, mid), None) is None:
                    fail(lineno, entry, "CALLERROR for no CALL in the other direction")
                    continue
                passed += 1
                per_action["CALLERROR " + frame[2]] = per_action.get("CALLERROR " + frame[2], 0) + 1
                continue
            validator = schemas.validator(protocol, action, response)
            if validator is None:
                fail(lineno, entry, f"no {protocol} schema for {action}{' response' if response else ''}")
                continue
            errors = sorted(validator.iter_errors(payload), key=lambda e: list(e.path))
            if errors:
                fail(lineno, entry, "; ".join(f"{'/'.join(map(str, e.path)) or '(payload)'}: {e.message}" for e in errors[:5]))
                continue
            passed += 1
            label = f"{protocol} {action}{'.conf' if response else ''}"
            per_action[label] = per_action.get(label, 0) + 1

    if not args.quiet:
        for label in sorted(per_action):
            print(f"  {per_action[label]:6d}  {label}")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
