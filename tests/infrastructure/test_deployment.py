"""What the template promises for operations: every function alarmed and triggered right, schedules retried
into a dead-letter queue, concurrency bounded where bursts would hurt the database, secrets only by name."""

from __future__ import annotations

from typing import Any

import pytest

from tests.infrastructure.template import functions, load_template

TEMPLATE = load_template()
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
HTTP = {"BookingsFunction", "MatchingFunction", "StripeWebhookFunction"}
SCHEDULED = {"HoldSweepFunction", "RefundsFunction", "RemindersFunction", "ExpireRequestsFunction"}
ASYNC = {"CohortFunction"}


def alarms_for(logical_id: str) -> set[str]:
    found = set()
    for resource in RESOURCES.values():
        if resource["Type"] != "AWS::CloudWatch::Alarm":
            continue
        props = resource["Properties"]
        for dim in props.get("Dimensions", []):
            if dim.get("Value") == {"Ref": logical_id}:
                found.add(props["MetricName"])
    return found


def test_every_function_in_the_code_is_declared() -> None:
    assert set(functions()) == HTTP | SCHEDULED | ASYNC


def test_the_async_cohort_function_sends_failures_to_the_dead_letter_queue() -> None:
    config = functions()["CohortFunction"]["EventInvokeConfig"]
    assert config["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": "SchedulesDeadLetterQueue.Arn"}


@pytest.mark.parametrize("logical_id", sorted(HTTP | SCHEDULED | ASYNC))
def test_every_function_alarms_on_errors_and_throttles(logical_id: str) -> None:
    assert {"Errors", "Throttles"} <= alarms_for(logical_id)


@pytest.mark.parametrize("logical_id", sorted(HTTP))
def test_http_functions_have_a_url_with_code_checked_auth_and_narrow_cors(logical_id: str) -> None:
    url = functions()[logical_id]["FunctionUrlConfig"]
    assert url["AuthType"] == "NONE"
    if logical_id != "StripeWebhookFunction":
        assert url["Cors"]["AllowOrigins"] == [{"Ref": "WebClientOrigin"}]


@pytest.mark.parametrize("logical_id", sorted(SCHEDULED))
def test_scheduled_functions_run_every_minute_with_retries_and_a_dead_letter_queue(logical_id: str) -> None:
    (event,) = functions()[logical_id]["Events"].values()
    assert event["Type"] == "ScheduleV2"
    props = event["Properties"]
    assert props["ScheduleExpression"] in {"rate(1 minute)", "rate(1 hour)"}
    assert props["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    assert props["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": "SchedulesDeadLetterQueue.Arn"}
    assert functions()[logical_id]["Timeout"] == 60


def test_the_dead_letter_queue_depth_is_alarmed() -> None:
    alarm = RESOURCES["SchedulesDeadLetterAlarm"]["Properties"]
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert alarm["Dimensions"][0]["Value"] == {"Fn::GetAtt": "SchedulesDeadLetterQueue.QueueName"}


def test_bookings_keeps_warm_containers_and_scales_them_on_utilisation() -> None:
    bookings = functions()["BookingsFunction"]
    assert bookings["AutoPublishAlias"] == "live"
    assert bookings["ProvisionedConcurrencyConfig"]["ProvisionedConcurrentExecutions"]
    target = RESOURCES["BookingsScalableTarget"]["Properties"]
    assert target["ScalableDimension"] == "lambda:function:ProvisionedConcurrency"
    policy = RESOURCES["BookingsScalingPolicy"]["Properties"]
    metric = policy["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]
    assert metric["PredefinedMetricType"] == "LambdaProvisionedConcurrencyUtilization"


@pytest.mark.parametrize("logical_id", ["StripeWebhookFunction", "RemindersFunction"])
def test_bursty_functions_have_reserved_concurrency(logical_id: str) -> None:
    assert 1 <= functions()[logical_id]["ReservedConcurrentExecutions"] <= 20


def test_secrets_are_passed_by_name_and_read_only_where_needed() -> None:
    for logical_id, props in functions().items():
        variables = props.get("Environment", {}).get("Variables", {})
        for name, value in variables.items():
            if "SECRET" in name or "KEY" in name:
                assert name.endswith("_SECRET_NAME"), (logical_id, name)
                assert isinstance(value, dict), (logical_id, name)
                assert "Ref" in value, (logical_id, name)
    # least privilege: only the webhook function may read the webhook secret, only Stripe callers the API key
    for logical_id, props in functions().items():
        policies = str(props.get("Policies", []))
        assert ("StripeWebhookSecretName" in policies) == (logical_id == "StripeWebhookFunction"), logical_id
        assert ("StripeApiKeySecretName" in policies) == (logical_id in {"BookingsFunction", "RefundsFunction"})
        assert ("ses:SendEmail" in policies) == (logical_id == "RemindersFunction")


def test_the_cohort_job_runs_with_its_own_layer_and_every_other_function_with_the_dependencies_layer() -> None:
    from tests.infrastructure.template import layers_of

    for logical_id in functions():
        expected = ["CohortLayer"] if logical_id == "CohortFunction" else ["DepsLayer"]
        assert layers_of(logical_id) == expected, logical_id


def test_only_the_matching_function_may_start_the_cohort_function_and_knows_its_name() -> None:
    for logical_id, props in functions().items():
        invokes = "LambdaInvokePolicy" in str(props.get("Policies", []))
        assert invokes == (logical_id == "MatchingFunction"), logical_id
    matching = functions()["MatchingFunction"]
    assert "CohortFunction" in str(matching["Policies"])
    assert "CohortFunction" in str(matching["Environment"]["Variables"]["COHORT_FUNCTION_NAME"])
