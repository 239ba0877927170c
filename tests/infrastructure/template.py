"""Reading template.yaml (CloudFormation short-form intrinsics such as !Ref kept as plain data)."""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


class _CfnLoader(yaml.SafeLoader):
    pass


def _intrinsic(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    return {name: value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


def load_template() -> dict[str, Any]:
    data: dict[str, Any] = yaml.load((ROOT / "template.yaml").read_text(), Loader=_CfnLoader)  # noqa: S506
    return data


def functions() -> dict[str, dict[str, Any]]:
    return {
        name: resource["Properties"]
        for name, resource in load_template()["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def trigger_kind(props: dict[str, Any]) -> str:
    """How a function is invoked: `http` (function URL), `schedule`, or `async` (direct invocation)."""
    if "FunctionUrlConfig" in props:
        return "http"
    if props.get("Events"):
        return "schedule"
    return "async"


def layers_of(logical_id: str) -> list[str]:
    """The logical ids of the layers a function runs with: the global ones, then its own."""
    template = load_template()
    refs = template["Globals"]["Function"].get("Layers", []) + functions()[logical_id].get("Layers", [])
    return [ref["Ref"] for ref in refs]


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
