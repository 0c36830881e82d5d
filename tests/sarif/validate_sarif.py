#!/usr/bin/python3
"""Validates SARIF logs against the official SARIF 2.1.0 schema, with Debian's python3-jsonschema.

    validate_sarif.py SCHEMA LOG...

Exits 1, naming each violation (its path in the log and the rule it breaks), if any log breaks
the schema; 0 when all hold.
"""
import json
import sys

import jsonschema


def main() -> int:
    schema_path, logs = sys.argv[1], sys.argv[2:]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    failures = 0
    for path in logs:
        with open(path, encoding="utf-8") as f:
            log = json.load(f)
        results = sum(len(run.get("results", [])) for run in log.get("runs", []))
        errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
        for error in errors[:20]:
            where = "/".join(str(part) for part in error.absolute_path)
            print(f"{path}: /{where}: {error.message}")
        failures += len(errors)
        print(f"{path}: {results} results, {len(errors)} schema violations")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
