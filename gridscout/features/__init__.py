"""Per-location features from the warehouse: vectorised, shared by site scoring and region screening."""
