"""The template as the infrastructure tests read it: infra.template's reading, plus SAM's own translation and
the parameter values of each deployment."""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
from functools import lru_cache
from typing import Any

from infra.template import ROOT, functions, layers_of, load_template, trigger_kind

__all__ = ["ROOT", "functions", "layers_of", "load_template", "trigger_kind"]


# The template as CloudFormation receives it: translated by SAM's own translator (samtranslator, from the SAM CLI's
# venv) after `sam package` would have replaced the local code folders with S3 locations.
_TRANSLATE = """
import json, sys
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

class NoManagedPolicies:
    def load(self):
        return {}

template = yaml_parse(open(sys.argv[1]).read())
template["Globals"]["Function"]["CodeUri"] = "s3://packaged/code.zip"
for resource in template["Resources"].values():
    if resource["Type"] == "AWS::Serverless::LayerVersion":
        resource["Properties"]["ContentUri"] = "s3://packaged/layer.zip"
print(json.dumps(transform(template, {}, NoManagedPolicies())))
"""


@lru_cache(maxsize=1)
def translated() -> dict[str, Any]:
    python = ROOT / ".venv-sam" / "bin" / "python"
    out = subprocess.run(
        [str(python), "-c", _TRANSLATE, str(ROOT / "template.yaml")],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "AWS_DEFAULT_REGION": "eu-west-1"},
    )
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def samconfig_parameters(env: str) -> dict[str, str]:
    """The parameter overrides `sam deploy --config-env <env>` passes."""
    with (ROOT / "samconfig.toml").open("rb") as f:
        overrides = tomllib.load(f)[env]["deploy"]["parameters"]["parameter_overrides"]
    return dict(item.split("=", 1) for item in overrides)


def parameter_values(overrides: dict[str, str] | None = None) -> dict[str, Any]:
    """Every parameter's value: its default, or the override."""
    values: dict[str, Any] = {}
    for name, spec in load_template()["Parameters"].items():
        raw = (overrides or {}).get(name, spec.get("Default"))
        values[name] = int(raw) if spec["Type"] == "Number" and raw is not None else raw
    return values


def resolve(value: Any, params: dict[str, Any], conditions: dict[str, Any]) -> Any:
    """Evaluate the intrinsics the concurrency settings use (Ref to parameters, Fn::If/Not/Equals, conditions)."""
    if isinstance(value, dict) and len(value) == 1:
        ((key, arg),) = value.items()
        if key == "Ref":
            return params.get(arg, value) if arg != "AWS::NoValue" else None
        if key == "Fn::If":
            name, yes, no = arg
            return resolve(yes if condition(name, params, conditions) else no, params, conditions)
        if key == "Fn::Not":
            return not resolve(arg[0], params, conditions)
        if key == "Fn::Equals":
            left, right = (resolve(a, params, conditions) for a in arg)
            return str(left) == str(right)
        if key == "Condition":
            return condition(arg, params, conditions)
    if isinstance(value, dict):
        return {k: resolve(v, params, conditions) for k, v in value.items()}
    return value


def condition(name: str, params: dict[str, Any], conditions: dict[str, Any]) -> bool:
    return bool(resolve(conditions[name], params, conditions))
