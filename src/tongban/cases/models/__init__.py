"""Models of the cases app (a package: process definitions, cases and their records, steps)."""

from .case import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseMaterial,
    CaseQuerySet,
    CaseSequence,
    ClockPause,
    Extension,
    Visit,
)
from .process import ItemForm, ProcessDefinition, StageDefinition, StepDefinition
from .tracking import TrackingFailure
from .work import Step, StepQuerySet

__all__ = [
    "Case",
    "CaseDocument",
    "CaseEvent",
    "CaseMaterial",
    "CaseQuerySet",
    "CaseSequence",
    "ClockPause",
    "Extension",
    "ItemForm",
    "ProcessDefinition",
    "StageDefinition",
    "Step",
    "StepDefinition",
    "StepQuerySet",
    "TrackingFailure",
    "Visit",
]
