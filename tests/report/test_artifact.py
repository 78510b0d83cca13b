"""The Prefect markdown artifact: pure markdown builder and the in-flow guard."""

from __future__ import annotations

import polars as pl
import pytest

from flows.artifacts import publish_prefect_artifact, top_sites_markdown


def test_top_sites_markdown(run_dir):
    scores = pl.read_parquet(run_dir / "scores.parquet")
    md = top_sites_markdown(scores, run_dir / "report.html", n=5, run_id="run-a")
    lines = md.splitlines()
    table = [ln for ln in lines if ln.startswith("|")]
    assert len(table) == 2 + 5
    assert "report.html" in md and "# gridscout run run-a" in md
    best = scores.sort("rank", nulls_last=True)["site_name"][0]
    assert best in table[2]


def test_markdown_escapes_user_strings():
    df = pl.DataFrame({"rank": [1], "site_name": ["a | b <script>x</script>"], "score": [None]},
                      schema={"rank": pl.Int64, "site_name": pl.Utf8, "score": pl.Float64})
    md = top_sites_markdown(df)
    row = md.splitlines()[-1]
    assert "a \\| b &lt;script&gt;x&lt;/script&gt;" in row and "UNKNOWN" in row


def test_publish_outside_a_flow_run_is_refused(run_dir):
    with pytest.raises(RuntimeError, match="inside a Prefect flow"):
        publish_prefect_artifact(run_dir)


@pytest.mark.slow  # 37-76 s on the shared 2-core machine: starts a temporary Prefect server
@pytest.mark.prefect_server
def test_publish_inside_a_flow_run(run_dir, tmp_path, monkeypatch):
    """Inside a flow run (temporary Prefect server) the artifact is created with the top-sites table."""
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    monkeypatch.setenv("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    monkeypatch.setenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "60")
    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.testing.utilities import prefect_test_harness

    @flow
    def report_flow(d: str) -> str:
        return publish_prefect_artifact(d, n=3)

    with prefect_test_harness(server_startup_timeout=60):
        artifact_id = report_flow(str(run_dir))
        with get_client(sync_client=True) as client:
            arts = client.read_artifacts()
    art = next(a for a in arts if str(a.id) == artifact_id)
    assert art.key == "gridscout-report" and art.type == "markdown"
    best = pl.read_parquet(run_dir / "scores.parquet").sort("rank", nulls_last=True)["site_name"][0]
    assert best in art.data and "report.html" in art.data
