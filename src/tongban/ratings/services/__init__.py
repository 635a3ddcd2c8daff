"""Writes of 好差评 (DESIGN rule 1). Hall, cases and hotline may call `ratable_register`."""

from .followups import (
    followup_callback,
    followup_claim_decide,
    followup_claim_invalid,
    followup_rectify,
    followup_verify,
)
from .ratings import rating_submit, ratings_default_sweep
from .registry import ratable_register, ratables_register_sweep

__all__ = [
    "followup_callback",
    "followup_claim_decide",
    "followup_claim_invalid",
    "followup_rectify",
    "followup_verify",
    "ratable_register",
    "ratables_register_sweep",
    "rating_submit",
    "ratings_default_sweep",
]
