"""Prefect flows: thin wrappers over the pure functions in :mod:`gridscout`."""

from gridscout import prefect_env

prefect_env.apply()
prefect_env.guard_temporary_server()  # a killed run never leaves its temporary server running
