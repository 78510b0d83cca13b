"""Scoring engine: profiles, gates, site scoring, robustness and region screening."""

from gridscout.scoring.engine import ScoreResult, score_frame, score_sites
from gridscout.scoring.profiles import Profile, available_profiles, load_profile

__all__ = ["Profile", "ScoreResult", "available_profiles", "load_profile", "score_frame", "score_sites"]
