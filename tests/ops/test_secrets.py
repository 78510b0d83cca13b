"""API keys from Prefect Secret blocks (issue 17: keys came only from the worker's environment)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from flows.secrets import block_name

from .conftest import REPO

pytestmark = pytest.mark.prefect_server

CODE = r"""
import json, os, sys
from prefect.blocks.system import Secret
if sys.argv[1] == "save":
    Secret(value="key-from-block").save("eia-api-key", overwrite=True)
elif sys.argv[1] == "delete":
    Secret.delete("eia-api-key")
else:
    from flows.secrets import load_api_keys
    got = load_api_keys()
    print(json.dumps({"got": got, "eia": os.environ.get("EIA_API_KEY")}))
"""


def _py(env, what) -> dict | None:
    res = subprocess.run([sys.executable, "-c", CODE, what], cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr[-3000:]
    return json.loads(res.stdout.strip().splitlines()[-1]) if what == "load" else None


def test_block_names():
    assert block_name("EIA_API_KEY") == "eia-api-key"
    assert block_name("ELECTRICITYMAPS_API_KEY") == "electricitymaps-api-key"


def test_unset_keys_come_from_secret_blocks_and_the_environment_wins(client_env):
    assert _py(client_env, "load") == {"got": {"ELECTRICITYMAPS_API_KEY": "none", "EIA_API_KEY": "none"}, "eia": None}
    _py(client_env, "save")
    try:
        assert _py(client_env, "load") == {"got": {"ELECTRICITYMAPS_API_KEY": "none", "EIA_API_KEY": "block"},
                                           "eia": "key-from-block"}
        assert _py({**client_env, "EIA_API_KEY": "from-env"}, "load")["eia"] == "from-env"
    finally:
        _py(client_env, "delete")  # the other server tests expect no keys (monthly carbon and prices)
