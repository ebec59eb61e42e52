#!/usr/bin/env python3
"""Vendors the Iceberg REST OpenAPI spec as JSON for the server's Swagger UI.

Usage: python3 scripts/vendor-iceberg-spec.py [path/to/rest-catalog-open-api.yaml]

The source defaults to ../shared/spec/rest-catalog-open-api.yaml (apache/iceberg at commit
7f879b1). The server embeds crates/pangolin_api/openapi/iceberg-rest-catalog.json; a test checks
that the vendored copy still matches the source.
"""
import json
import pathlib
import sys

import yaml

root = pathlib.Path(__file__).resolve().parent.parent
source = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else root.parent / "shared/spec/rest-catalog-open-api.yaml"
target = root / "crates/pangolin_api/openapi/iceberg-rest-catalog.json"
spec = yaml.safe_load(source.read_text())
target.write_text(json.dumps(spec, indent=1, sort_keys=False) + "\n")
print(f"wrote {target} from {source}")
