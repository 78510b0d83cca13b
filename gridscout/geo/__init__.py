"""Vectorised spatial joins: nearest neighbours on the sphere and point-in-polygon."""
