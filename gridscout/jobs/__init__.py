"""Jobs a user runs (ingest, score, screen), composed from sources, warehouse, features, models, scoring and report."""
