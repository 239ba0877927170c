"""Write each HTTP function's OpenAPI document to openapi/<function>.json: `python -m infra.openapi`
(`--check` exits 1, naming the files, when a committed document differs from its app's).

The documents are what clients are typed against (the web client generates its types from them); the test
`tests/infrastructure/test_openapi.py` fails when one is stale."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from typing import Any

from infra.devserver import HTTP_FUNCTIONS
from infra.localenv import ROOT

OPENAPI_DIR = ROOT / "openapi"


def document(function: str) -> dict[str, Any]:
    spec: dict[str, Any] = importlib.import_module(HTTP_FUNCTIONS[function]).app.openapi()
    return spec


def render(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def path_of(function: str) -> Path:
    return OPENAPI_DIR / f"{function}.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.openapi")
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    stale = []
    for function in HTTP_FUNCTIONS:
        text, path = render(document(function)), path_of(function)
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path.relative_to(ROOT)))
        else:
            OPENAPI_DIR.mkdir(exist_ok=True)
            path.write_text(text)
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print("stale OpenAPI documents (run `python -m infra.openapi`): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
