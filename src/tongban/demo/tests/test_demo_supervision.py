"""The demo shows a card that arose from the escalation: a directive left unanswered, carded by the
default rule `directive_ignored` — and loading it again adds nothing."""

from __future__ import annotations

import pytest

from tongban.demo.loader import load_demo
from tongban.demo.supervision import TITLE, load_demo_supervision
from tongban.supervision.models import Card, Directive

pytestmark = pytest.mark.django_db


def test_demo_has_an_ignored_directive_and_its_rule_card():
    load_demo(verbosity=0)
    assert load_demo_supervision() == {"directives": 1, "cards": 1}
    directive = Directive.objects.get(title=TITLE)
    card = Card.objects.get()
    assert (card.rule.key, card.directive, card.department, card.color, card.issued_by) == (
        "directive_ignored",
        directive,
        directive.department,
        "red",
        None,
    )
    assert directive.status == "issued" and directive.number in card.reason
    assert load_demo_supervision() == {"directives": 1, "cards": 1}
    assert Directive.objects.count() == Card.objects.count() == 1
