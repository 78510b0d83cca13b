"""Prefect flows: thin wrappers over the pure functions in :mod:`gridscout`."""

from gridscout import prefect_env

prefect_env.apply()
