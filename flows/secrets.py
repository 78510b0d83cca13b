"""API keys for scheduled runs from Prefect Secret blocks, so they need not live in a worker's environment.

Each key has an environment variable (:data:`gridscout.ops.schedules.API_KEY_ENV`: the sources read
only that) and a Secret block of the same name in kebab case: ``ELECTRICITYMAPS_API_KEY`` ↔
``electricitymaps-api-key``, ``EIA_API_KEY`` ↔ ``eia-api-key``. :func:`load_api_keys` (at the start
of every scheduled ingest and of ``serve``) sets each unset variable from its block, in this process
only (a flow run's own process under a worker or serve). A variable already set wins; a missing block
is not an error (that source then reads files only, as without a key).

Create a block once per server: ``uv run python -m flows.secrets set EIA_API_KEY`` (reads the key from
the terminal, never from the command line), or in Python ``Secret(value="…").save("eia-api-key")``.
Not put in ``prefect.yaml``'s ``job_variables.env``: a ``{{ prefect.blocks.secret.… }}`` there is
resolved by ``prefect deploy`` and stored in the deployment in plain text (shown in the UI and API),
and an unset ``{{ $EIA_API_KEY }}`` stays in as the literal text, which would be sent as the key.
"""

from __future__ import annotations

import os
import sys

from gridscout.ops.schedules import API_KEY_ENV


def block_name(env_var: str) -> str:
    """``EIA_API_KEY`` → ``eia-api-key`` (Prefect block names: lowercase letters, digits, dashes)."""
    return env_var.lower().replace("_", "-")


def load_api_keys(env_vars: tuple[str, ...] | None = None) -> dict[str, str]:
    """Set each unset API-key variable from its Secret block; returns {variable: 'env' | 'block' | 'none'}."""
    from prefect.blocks.system import Secret

    out = {}
    for var in env_vars or tuple(API_KEY_ENV.values()):
        if (os.environ.get(var) or "").strip():
            out[var] = "env"
            continue
        try:
            value = Secret.load(block_name(var)).get()
        except ValueError:  # no such block on this server
            out[var] = "none"
            continue
        if str(value).strip():
            os.environ[var] = str(value).strip()
            out[var] = "block"
        else:
            out[var] = "none"
    return out


def main(argv: list[str] | None = None) -> int:
    import getpass

    from prefect.blocks.system import Secret

    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or argv[0] != "set" or argv[1] not in API_KEY_ENV.values():
        print(f"usage: python -m flows.secrets set {{{'|'.join(API_KEY_ENV.values())}}}", file=sys.stderr)
        return 2
    value = getpass.getpass(f"{argv[1]}: ").strip()
    if not value:
        print("empty key: nothing saved", file=sys.stderr)
        return 2
    Secret(value=value).save(block_name(argv[1]), overwrite=True)
    print(f"saved the Secret block {block_name(argv[1])!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
