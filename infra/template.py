"""Reading template.yaml (CloudFormation short-form intrinsics such as !Ref kept as plain data): the functions it
declares, how each is triggered, and its layers. Used by the benchmarks and the infrastructure tests."""

from __future__ import annotations

from typing import Any

import yaml

from infra.localenv import ROOT


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
