#!/usr/bin/python3
"""Validates CDI spec files against the CDI project's own JSON schema, as Debian 12 ships it
(golang-github-container-orchestrated-devices-container-device-interface-dev), with Debian's
python3-jsonschema. Usage: cdi_schema_check.py SPEC.json...  Prints one line per file; exit 1
if any is invalid, 2 if the schema or jsonschema is missing."""
import json
import sys
import warnings

SCHEMA_DIR = ("/usr/share/gocode/src/github.com/container-orchestrated-devices/"
              "container-device-interface/schema")
try:
    import jsonschema
    with open(SCHEMA_DIR + "/schema.json") as f:
        schema = json.load(f)
except (ImportError, OSError) as e:
    print(f"cannot load the CDI schema or jsonschema: {e} (make deps)")
    sys.exit(2)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    resolver = jsonschema.RefResolver(base_uri="file://" + SCHEMA_DIR + "/", referrer=schema)
    validator = jsonschema.Draft7Validator(schema, resolver=resolver)
    status = 0
    for path in sys.argv[1:]:
        try:
            with open(path) as f:
                validator.validate(json.load(f))
            print(f"{path}: valid")
        except (OSError, ValueError, jsonschema.ValidationError) as e:
            print(f"{path}: INVALID: {str(e).splitlines()[0]}")
            status = 1
sys.exit(status)
