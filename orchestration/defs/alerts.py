"""The run-failure alert: when any run fails, what failed (the job, each failed step, the assets
that step was to materialize, the error) goes to the webhook in KLIMAMONITOR_ALERT_WEBHOOK as a
Slack-compatible JSON body (`text`, and `blocks` of mrkdwn sections). Without the variable the
alert is only logged. The POST goes through dlt's requests helper, which retries with backoff.
"""

from __future__ import annotations

import os

import dagster as dg
from dlt.sources.helpers import requests

WEBHOOK_ENV = "KLIMAMONITOR_ALERT_WEBHOOK"
ERROR_CHARS = 1500  # Slack cuts a section's text at 3000 characters

log = dg.get_dagster_logger("klimamonitor.alerts")


def assets_of_steps(instance: dg.DagsterInstance, run: dg.DagsterRun) -> dict[str, list[str]]:
    """Each step of the run's plan with the asset keys and checks it was to write."""
    if not run.execution_plan_snapshot_id:
        return {}
    plan = instance.get_execution_plan_snapshot(run.execution_plan_snapshot_id)
    steps: dict[str, list[str]] = {}
    for step in plan.steps:
        keys = []
        for output in step.outputs:
            props = output.properties
            if props and props.asset_key:
                keys.append(props.asset_key.to_user_string())
            elif props and props.asset_check_key:
                check = props.asset_check_key
                keys.append(f"{check.asset_key.to_user_string()} (check {check.name})")
        steps[step.key] = keys
    return steps


def failure_message(context: dg.RunFailureSensorContext) -> dict:
    """The Slack-compatible body for a failed run."""
    run = context.dagster_run
    by_step = assets_of_steps(context.instance, run)
    failures = []
    for event in context.get_step_failure_events():
        error = event.step_failure_data.error
        message = (error.message if error else "no error recorded").strip()
        assets = by_step.get(event.step_key, [])
        failures.append(
            {
                "step": event.step_key,
                "assets": assets,
                "error": message[:ERROR_CHARS],
            }
        )
    if not failures:  # failed outside any step: at launch, or the run worker died
        failures.append({"step": None, "assets": [], "error": context.failure_event.message or ""})
    head = f"klimamonitor: run {run.run_id[:8]} of job {run.job_name} failed"
    lines = [head]
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": head[:150]}}]
    for failure in failures:
        assets = ", ".join(failure["assets"][:20]) or "(no asset)"
        if len(failure["assets"]) > 20:
            assets += f" and {len(failure['assets']) - 20} more"
        step = failure["step"] or "(no step)"
        lines.append(f"step {step} (assets: {assets}): {failure['error']}")
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*Step* `{step}`\n*Assets* {assets}\n```{failure['error']}```",
                },
            }
        )
    return {
        "text": "\n".join(lines),
        "blocks": blocks,
        "run_id": run.run_id,
        "job": run.job_name,
        "failures": failures,
    }


@dg.run_failure_sensor(
    name="run_failure_alert",
    monitor_all_code_locations=False,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=f"Sends each failed run's job, steps, assets and error to the webhook in "
    f"{WEBHOOK_ENV} (Slack-compatible JSON); only logs when it is unset.",
)
def run_failure_alert(context: dg.RunFailureSensorContext) -> None:
    body = failure_message(context)
    webhook = os.environ.get(WEBHOOK_ENV)
    if not webhook:
        log.warning(f"{WEBHOOK_ENV} is not set, so the alert is only logged:\n{body['text']}")
        return
    try:
        requests.post(webhook, json=body, timeout=30)
    except requests.RequestException as exc:  # the URL is a secret: the error names no URL
        status = getattr(exc.response, "status_code", None) or type(exc).__name__
        log.error(f"the alert webhook failed ({status}); the alert was:\n{body['text']}")


SENSORS = [run_failure_alert]
