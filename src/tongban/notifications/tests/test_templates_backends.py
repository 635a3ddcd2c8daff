"""Every template renders from its example; the SMS and e-mail backends deliver what they promise."""

from __future__ import annotations

import io

import pytest
from django.core import mail

from tongban.notifications.backends import ConsoleSmsBackend, FileSmsBackend, deliver
from tongban.notifications.choices import Channel
from tongban.notifications.models import Message
from tongban.notifications.templates import TEMPLATES, NotificationTemplateError, get_template, render

REQUIRED_KEYS = {
    "case.accepted",
    "case.refused",
    "case.correction_requested",
    "case.paused",
    "case.resumed",
    "case.extended",
    "case.decided",
    "case.ready_for_pickup",
    "case.posted",
    "case.issued",
    "task.assigned",
    "supervision.reminder",
    "supervision.alert",
    "directive.issued",
    "rating.followup",
}


def test_registry_has_every_event_of_the_issue():
    assert set(TEMPLATES) >= REQUIRED_KEYS


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_template_renders_from_its_example(key):
    template = get_template(key)
    assert template.fields() == set(template.example), "the example documents exactly the parameters"
    rendered = render(key, template.example)
    assert rendered.sms.startswith("【通办】")
    assert len(rendered.sms) <= 70, f"{key}: {len(rendered.sms)} 字"
    assert "{" not in rendered.sms + rendered.subject + rendered.body
    assert rendered.subject and rendered.body.startswith("您好")
    assert "请勿直接回复" in rendered.body


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_template_names_a_missing_parameter(key):
    template = get_template(key)
    name = sorted(template.fields())[0]
    context = {k: v for k, v in template.example.items() if k != name}
    with pytest.raises(NotificationTemplateError, match=f"缺少参数：{name}"):
        render(key, context)


def test_signature_is_configurable(settings):
    settings.NOTIFY_SMS_SIGNATURE = "某某区政务服务"
    assert render("case.issued", TEMPLATES["case.issued"].example).sms.startswith("【某某区政务服务】")


def test_file_backend_appends_json_lines(sms_file):
    backend = FileSmsBackend()
    first = backend.send("13900000000", "【通办】第一条")
    backend.send("13900000001", "【通办】第二条")
    lines = sms_file()
    assert [(line["mobile"], line["text"]) for line in lines] == [
        ("13900000000", "【通办】第一条"),
        ("13900000001", "【通办】第二条"),
    ]
    assert lines[0]["id"] == first and lines[0]["at"].endswith("+00:00")


def test_console_backend_prints():
    out = io.StringIO()
    ConsoleSmsBackend(stream=out).send("13900000000", "【通办】测试")
    assert out.getvalue() == "[SMS to 13900000000] 【通办】测试\n"


def test_email_goes_through_django_mail(db):
    message = Message(channel=Channel.EMAIL, address="a@example.cn", subject="标题", body="正文")
    deliver(message)
    assert len(mail.outbox) == 1
    assert (mail.outbox[0].subject, mail.outbox[0].body, mail.outbox[0].to) == (
        "标题",
        "正文",
        ["a@example.cn"],
    )


def test_in_app_needs_no_delivery(db, sms_file):
    deliver(Message(channel=Channel.IN_APP, body="x"))
    assert sms_file() == [] and mail.outbox == []
