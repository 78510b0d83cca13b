"""docs/operations.md and docs/scaling.md match the code (issue 17): the Dask snippets run when pasted
(the flow call under the ``__main__`` guard), every ``python -m flows.…`` command they show exists,
no "once wired"; one partition default; the Dask dashboard on 127.0.0.1; run names say what ran."""

from __future__ import annotations

import ast
import inspect
import re

import pytest

from gridscout import config

DOCS = [config.PROJECT_ROOT / "docs" / "operations.md", config.PROJECT_ROOT / "docs" / "scaling.md"]


def _blocks(lang: str) -> list[str]:
    return [b for d in DOCS for b in re.findall(rf"```{lang}\n(.*?)```", d.read_text(encoding="utf-8"), re.S)]


def test_every_python_snippet_parses_and_dask_runs_sit_under_the_main_guard():
    blocks = _blocks("python")
    assert blocks
    dask = 0
    for code in blocks:
        tree = ast.parse(code)
        top_calls = [n.value.func.id for n in tree.body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)
                     and isinstance(n.value.func, ast.Name)]
        assert "screen_flow" not in top_calls, code  # Dask workers re-import the script: guard it
        if "screen_flow(" in code:
            dask += 1
            assert 'if __name__ == "__main__":' in code, code
    assert dask == 2


def test_documented_module_commands_exist():
    from flows import deployments, notify, secrets  # noqa: F401

    text = "\n".join(d.read_text(encoding="utf-8") for d in DOCS)
    assert "once wired" not in text
    cmds = set(re.findall(r"python -m (flows\.\w+)(?: (\w+))?", text))
    assert {("flows.deployments", "serve"), ("flows.secrets", "set")} <= cmds
    for mod, cmd in cmds:
        if mod == "flows.deployments":
            assert cmd in {"serve", "yaml", "table"}, cmd
        elif mod == "flows.secrets":
            assert cmd == "set"
        else:
            assert mod == "flows.notify", mod  # its argument is the notification block's name
    assert "prefect gcl create duckdb-writer --limit 1" in text


def test_one_partition_default_and_a_local_dashboard():
    from flows.screen import DEFAULT_CLUSTER, screen_flow
    from gridscout.cli import screen

    flow_default = inspect.signature(screen_flow.fn).parameters["partitions_resolution"].default
    cli_default = inspect.signature(screen).parameters["partitions_resolution"].default
    assert flow_default == config.DASK_PARTITIONS_RESOLUTION == 2
    # the CLI leaves it unset so --stream can default to 6 levels up; --dask then gets the flow's default
    assert cli_default is None
    assert "config.DASK_PARTITIONS_RESOLUTION if partitions_resolution is None" in inspect.getsource(screen)
    assert DEFAULT_CLUSTER["dashboard_address"].startswith("127.0.0.1:")


@pytest.mark.parametrize("module, name, template", [
    ("flows.screen", "screen_flow", "screen-{region}-r{resolution}"),
])
def test_run_name_templates(module, name, template):
    import importlib

    assert getattr(importlib.import_module(module), name).flow_run_name == template
