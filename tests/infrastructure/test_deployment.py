"""What the template promises for operations: every function alarmed and triggered right, scheduled and
asynchronous jobs failing loudly into a dead-letter queue, concurrency that fits the account it is deployed to,
Stripe calls that end before the function does, logs kept for a set time, alarms that reach someone, secrets only
by name."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from tests.infrastructure.template import (
    condition,
    functions,
    load_template,
    parameter_values,
    resolve,
    samconfig_parameters,
    translated,
)

TEMPLATE = load_template()
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
HTTP = {"BookingsFunction", "MatchingFunction", "PaymentsFunction", "StripeWebhookFunction"}
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
    assert props["ScheduleExpression"] in {"rate(1 minute)", "cron(0 * * * ? *)"}  # every minute, every hour
    assert props["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    assert props["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": "SchedulesDeadLetterQueue.Arn"}
    # The matching sweep recomputes a zone's weeks after a clock change in one run (matching.sweep).
    assert functions()[logical_id]["Timeout"] == (300 if logical_id == "ExpireRequestsFunction" else 60)


def test_the_matching_sweep_runs_at_the_start_of_every_utc_hour() -> None:
    """Stored weeks are recomputed when a week starts with other clock offsets (migration 20261201000800): the run
    at 00:00 UTC on Mondays does it in the week's first minutes (cron without a time zone is UTC)."""
    (event,) = functions()["ExpireRequestsFunction"]["Events"].values()
    assert event["Properties"]["ScheduleExpression"] == "cron(0 * * * ? *)"
    assert "ScheduleExpressionTimezone" not in event["Properties"]


def test_the_dead_letter_queue_depth_is_alarmed() -> None:
    alarm = RESOURCES["SchedulesDeadLetterAlarm"]["Properties"]
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert alarm["Dimensions"][0]["Value"] == {"Fn::GetAtt": "SchedulesDeadLetterQueue.QueueName"}


def test_bookings_can_keep_warm_containers_and_scale_them_on_utilisation() -> None:
    """Provisioned concurrency is a parameter (0 = none, the default): with it, the alias keeps warm containers
    and a target-tracking policy scales them."""
    bookings = functions()["BookingsFunction"]
    config = bookings["ProvisionedConcurrencyConfig"]["Fn::If"]
    assert config[0] == "HasBookingsProvisioned"
    assert RESOURCES["BookingsScalableTarget"]["Condition"] == "HasBookingsProvisioned"
    assert RESOURCES["BookingsScalingPolicy"]["Condition"] == "HasBookingsProvisioned"
    target = RESOURCES["BookingsScalableTarget"]["Properties"]
    assert target["ScalableDimension"] == "lambda:function:ProvisionedConcurrency"
    policy = RESOURCES["BookingsScalingPolicy"]["Properties"]
    metric = policy["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]
    assert metric["PredefinedMetricType"] == "LambdaProvisionedConcurrencyUtilization"


# Concurrency and the account's quota --------------------------------------------------------------------------
# Lambda keeps 100 executions unreserved ("You can reserve up to the Unreserved account concurrency value that is
# shown, minus 100 for functions that don't have reserved concurrency": docs.aws.amazon.com/lambda/latest/dg/
# configuration-concurrency.html); provisioned concurrency counts against the same pool. A new account's quota is
# often 10, where nothing at all can be reserved.
UNRESERVED_MINIMUM = 100


def concurrency_claimed(overrides: dict[str, str] | None = None) -> dict[str, tuple[int, int]]:
    """(reserved, provisioned) per function, as CloudFormation would create them with these parameter values."""
    params = parameter_values(overrides)
    template = translated()
    conditions, resources = template.get("Conditions", {}), template["Resources"]
    claimed = {}
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        reserved = resolve(resource["Properties"].get("ReservedConcurrentExecutions"), params, conditions) or 0
        provisioned = 0
        for alias in resources.values():
            if alias["Type"] == "AWS::Lambda::Alias" and alias["Properties"]["FunctionName"] == {"Ref": logical_id}:
                config = resolve(alias["Properties"].get("ProvisionedConcurrencyConfig"), params, conditions)
                provisioned += (config or {}).get("ProvisionedConcurrentExecutions", 0)
        claimed[logical_id] = (int(reserved), int(provisioned))
    return claimed


def fits(claimed: dict[str, tuple[int, int]], quota: int) -> bool:
    """Whether an account with this concurrency quota can hold these reservations: the reserved functions' ceilings
    (which include their provisioned concurrency), plus provisioned concurrency of unreserved functions, must
    leave the unreserved minimum."""
    taken = sum(reserved if reserved else provisioned for reserved, provisioned in claimed.values())
    return all(p <= r for r, p in claimed.values() if r) and taken <= max(0, quota - UNRESERVED_MINIMUM)


def test_the_template_defaults_fit_a_new_account_with_a_quota_of_ten() -> None:
    claimed = concurrency_claimed()
    assert set(claimed) == {f"{name}" for name in HTTP | SCHEDULED | ASYNC}
    assert fits(claimed, 10), claimed
    assert not fits({"X": (1, 0)}, 10)  # the check itself: a single reservation does not fit


def test_the_dev_configuration_fits_a_new_account_too() -> None:
    assert fits(concurrency_claimed(samconfig_parameters("dev")), 10)


def test_production_caps_every_function_and_fits_the_quota_the_guide_requests() -> None:
    """prod: every function has a ceiling (a flood on one URL cannot take the others' concurrency), warm bookings
    containers, and it all fits the 1,000 the deploy guide asks for (but not the default 10)."""
    claimed = concurrency_claimed(samconfig_parameters("prod"))
    assert all(reserved >= 1 for reserved, _ in claimed.values()), claimed
    assert claimed["BookingsFunction"][1] >= 1
    assert fits(claimed, 1000)
    assert not fits(claimed, 10)


# Scheduled and asynchronous jobs fail loudly ------------------------------------------------------------------
@pytest.mark.parametrize("logical_id", sorted(SCHEDULED | ASYNC))
def test_a_job_that_raises_ends_in_the_alarmed_dead_letter_queue(logical_id: str) -> None:
    """EventBridge Scheduler invokes asynchronously, so its own DLQ only sees delivery failures; a function error
    is retried by Lambda and then dropped unless the function's async configuration sends it somewhere. Every
    job's configuration (on the alias that schedules and invokes target) sends it to the DLQ, the job may write
    there, and the queue's depth alarms the topic."""
    resources = translated()["Resources"]
    (config,) = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::EventInvokeConfig" and r["Properties"]["FunctionName"] == {"Ref": logical_id}
    ]
    assert config["Qualifier"] == "live"
    assert 0 <= config["MaximumRetryAttempts"] <= 2
    assert 60 <= config["MaximumEventAgeInSeconds"] <= 21600
    dlq_arn = {"Fn::GetAtt": ["SchedulesDeadLetterQueue", "Arn"]}
    assert config["DestinationConfig"]["OnFailure"]["Destination"] == dlq_arn
    role = resources[f"{logical_id}Role"]["Properties"]
    statements = [st for policy in role["Policies"] for st in policy["PolicyDocument"]["Statement"]]
    assert any(st["Action"] == "sqs:SendMessage" and st["Resource"] == dlq_arn for st in statements)
    for resource in resources.values():  # schedules target the alias, so its async configuration applies
        if resource["Type"] == "AWS::Scheduler::Schedule" and logical_id in str(resource["Properties"]["Target"]):
            assert resource["Properties"]["Target"]["Arn"] == {"Ref": f"{logical_id}Aliaslive"}
    alarm = RESOURCES["SchedulesDeadLetterAlarm"]["Properties"]
    assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")


def test_the_matching_function_starts_the_cohort_job_through_its_alias() -> None:
    variables = functions()["MatchingFunction"]["Environment"]["Variables"]
    assert variables["COHORT_FUNCTION_NAME"] == {"Ref": "CohortFunction.Alias"}


def test_a_scheduled_job_that_raises_makes_its_invocation_fail() -> None:
    """The Lambda entry of a job lets the exception out (Lambda counts the error, retries, then the DLQ)."""
    from infra.lambda_events import LambdaContext
    from shared.jobs import scheduled_entry

    def broken() -> dict[str, int]:
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError, match="database gone"):
        scheduled_entry(broken, metric_prefix="broken")({"source": "aws.scheduler"}, LambdaContext())


# Operations ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("logical_id", sorted(HTTP | SCHEDULED | ASYNC))
def test_every_function_logs_to_its_own_group_with_a_retention(logical_id: str) -> None:
    group_ref = functions()[logical_id]["LoggingConfig"]["LogGroup"]
    group = RESOURCES[group_ref["Ref"]]
    assert group["Type"] == "AWS::Logs::LogGroup"
    assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_alarms_reach_someone_in_every_environment() -> None:
    subscription = RESOURCES["AlarmEmailSubscription"]
    assert subscription["Properties"]["TopicArn"] == {"Ref": "AlarmTopic"}
    for env in ("dev", "prod"):
        assert "@" in samconfig_parameters(env).get("AlarmEmail", ""), env
        params = parameter_values(samconfig_parameters(env))
        assert condition("HasAlarmEmail", params, TEMPLATE["Conditions"])
    for resource in RESOURCES.values():
        if resource["Type"] == "AWS::CloudWatch::Alarm":
            assert resource["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}]


@pytest.mark.parametrize("outcome", ["dead", "parked"])
def test_dead_and_parked_emails_are_alarmed_on_the_metric_the_dispatcher_emits(outcome: str) -> None:
    from reminders import logic

    handler_source = inspect.getsource(__import__("reminders.handler", fromlist=["x"]))
    assert 'metric_prefix="deliveries"' in handler_source
    assert outcome in inspect.getsource(logic.dispatch)
    alarms = [
        r["Properties"]
        for r in RESOURCES.values()
        if r["Type"] == "AWS::CloudWatch::Alarm" and r["Properties"].get("MetricName") == f"deliveries.{outcome}"
    ]
    (alarm,) = alarms
    assert alarm["Namespace"] == "SkillSwap"
    reminders_service = functions()["RemindersFunction"]["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"]
    assert alarm["Dimensions"] == [{"Name": "service", "Value": reminders_service}]


def test_stripe_events_we_cannot_read_are_alarmed_on_the_metric_the_webhook_function_emits() -> None:
    from webhooks import logic

    assert 'name="stripe.rejected"' in inspect.getsource(logic._record_rejection)
    (alarm,) = [
        r["Properties"]
        for r in RESOURCES.values()
        if r["Type"] == "AWS::CloudWatch::Alarm" and r["Properties"].get("MetricName") == "stripe.rejected"
    ]
    service = functions()["StripeWebhookFunction"]["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"]
    assert alarm["Dimensions"] == [{"Name": "service", "Value": service}]


# Stripe calls end before the function does ---------------------------------------------------------------------
def _stripe_budget(props: dict[str, Any]) -> float:
    from shared.settings import Settings
    from shared.stripe_client import call_budget_seconds

    variables = props["Environment"]["Variables"]
    fields = Settings.model_fields
    timeout = float(variables.get("STRIPE_TIMEOUT_SECONDS", fields["stripe_timeout_seconds"].default))
    retries = int(variables.get("STRIPE_MAX_NETWORK_RETRIES", fields["stripe_max_network_retries"].default))
    return call_budget_seconds(timeout, retries)


@pytest.mark.parametrize("logical_id", ["BookingsFunction", "PaymentsFunction"])
def test_a_paid_request_ends_before_its_function_times_out(logical_id: str) -> None:
    from payments.stripe_api import MAX_STRIPE_CALLS_PER_REQUEST
    from shared.settings import Settings

    props = functions()[logical_id]
    statement_timeout = Settings.model_fields["db_statement_timeout_ms"].default / 1000
    # each call's reads and its one write, between the Stripe calls
    worst = MAX_STRIPE_CALLS_PER_REQUEST * _stripe_budget(props) + 2 * statement_timeout
    assert worst <= props["Timeout"], worst


def test_the_refund_job_starts_no_stripe_call_it_cannot_finish() -> None:
    from webhooks.refunds import execute_refunds

    props = functions()["RefundsFunction"]
    # execute_refunds starts a call only if it ends, at its worst, inside time_budget_seconds; then come the
    # last database writes (one statement timeout).
    budget = inspect.signature(execute_refunds).parameters["time_budget_seconds"].default
    assert _stripe_budget(props) < budget
    assert budget + 5 <= props["Timeout"]


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
        assert ("StripeConnectWebhookSecretName" in policies) == (logical_id == "StripeWebhookFunction"), logical_id
        assert ("StripeApiKeySecretName" in policies) == (
            logical_id in {"BookingsFunction", "PaymentsFunction", "RefundsFunction"}
        )
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


def test_api_docs_are_switched_off_in_the_cloud() -> None:
    assert TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]["API_DOCS_ENABLED"] == "false"
