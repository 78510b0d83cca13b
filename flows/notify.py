"""Notify on failed runs: a Prefect automation ``gridscout-failed-runs`` that sends a notification
block's message when any gridscout flow run ends Failed or Crashed (a scheduled ingest that could not
refresh a source, a stale-data check, a scoring step that broke).

    uv run python -m flows.notify <notification-block-name>

creates it (replacing an automation of that name), with the notification block you saved beforehand,
e.g. ``SlackWebhook(url=...).save("ops-slack")`` (any block of ``prefect.blocks.notifications``). ``prefect automation ls`` / ``prefect automation inspect gridscout-failed-runs`` show
it; ``prefect automation pause gridscout-failed-runs`` silences it.
"""

from __future__ import annotations

import sys

AUTOMATION = "gridscout-failed-runs"
#: every flow of the project (flows/*.py): their runs' events carry the flow as a related resource
FLOW_NAMES = ("gridscout-ingest-family", "gridscout-ingest", "gridscout-score-report", "gridscout-score",
              "gridscout-report", "gridscout-run", "gridscout-screen")


def failed_runs_automation(block_document_id):
    """The automation (not yet created): a reactive trigger on Failed/Crashed flow runs of the project's
    flows, one notification per run."""
    from prefect.automations import Automation, EventTrigger, SendNotification

    return Automation(
        name=AUTOMATION,
        description="Notify when a gridscout flow run ends Failed or Crashed (flows/notify.py).",
        trigger=EventTrigger(
            expect={"prefect.flow-run.Failed", "prefect.flow-run.Crashed"},
            match={"prefect.resource.id": "prefect.flow-run.*"},
            match_related={"prefect.resource.role": "flow", "prefect.resource.name": list(FLOW_NAMES)},
            posture="Reactive", threshold=1, within=0),
        actions=[SendNotification(
            block_document_id=block_document_id,
            subject="gridscout: {{ flow.name }} run {{ flow_run.name }} is {{ flow_run.state.name }}",
            body="Flow run {{ flow_run.name }} ({{ flow.name }}) ended {{ flow_run.state.name }}: "
                 "{{ flow_run.state.message }}")],
    )


def create_failed_runs_automation(block_name: str):
    """Create (or replace) the automation, notifying through the block document named ``block_name``."""
    from prefect.automations import Automation
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        docs = [d for d in client.read_block_documents() if d.name == block_name]
    if not docs:
        raise SystemExit(f"no block named {block_name!r} on this Prefect server: create a notification block "
                         f"first, e.g. SlackWebhook(url=...).save({block_name!r}) (prefect.blocks.notifications)")
    try:
        Automation.read(name=AUTOMATION).delete()
    except ValueError:
        pass  # none yet
    return failed_runs_automation(docs[0].id).create()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m flows.notify <notification-block-name>", file=sys.stderr)
        return 2
    auto = create_failed_runs_automation(argv[0])
    print(f"automation {auto.name!r} ({auto.id}) notifies through block {argv[0]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
