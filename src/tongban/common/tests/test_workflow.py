"""The workflow kernel's transition table on its own (no database): declared moves, named refusals."""

from __future__ import annotations

import pytest
from django.db import models

from tongban.common.errors import IllegalTransition
from tongban.common.workflow import Transitions


class Light(models.TextChoices):
    OFF = "off", "关闭"
    ON = "on", "开启"
    BROKEN = "broken", "损坏"


class Lamp:
    number = "L7"


LAMP = Transitions(
    {
        "switch_on": {Light.OFF: Light.ON},
        "switch_off": {Light.ON: Light.OFF},
        "break": {Light.ON: Light.BROKEN},
    },
    labels={"switch_on": "打开", "switch_off": "关闭", "break": "损坏"},
    states=Light,
    refusal="灯 {subject.number} 当前为“{state}”，不能{action}。",
)


def test_a_declared_move_leads_to_its_state():
    assert LAMP.target("switch_on", Light.OFF) == Light.ON
    assert LAMP.allowed(Light.ON) == ["switch_off", "break"]
    assert LAMP.check(Light.ON, Light.BROKEN) == "break"


def test_an_undeclared_move_is_refused_in_chinese_naming_state_and_action():
    with pytest.raises(IllegalTransition) as refused:
        LAMP.target("switch_off", Light.OFF, subject=Lamp())
    assert refused.value.message == "灯 L7 当前为“关闭”，不能关闭。"
    assert (refused.value.status, refused.value.code) == (409, "illegal_transition")


def test_check_refuses_a_move_no_action_makes():
    with pytest.raises(IllegalTransition) as refused:
        LAMP.check(Light.BROKEN, Light.ON, subject=Lamp())
    assert refused.value.message == "灯 L7 当前为“损坏”，不能改为“开启”。"


def test_every_move_needs_a_label():
    with pytest.raises(ValueError):
        Transitions({"fix": {Light.BROKEN: Light.OFF}}, labels={}, states=Light, refusal="{action}")
