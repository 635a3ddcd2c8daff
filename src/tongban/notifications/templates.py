"""The registry of message templates (Chinese), one per kind of event.

Each template has a short SMS text (the 【签名】 is added when rendering; aim for ≤ 70 characters in all,
the length of one SMS segment), an e-mail subject and body, and an example context that documents the
parameters and is used by the tests and the docs. In-app messages use the subject and the SMS text.
Placeholders are `str.format` fields: `{case_number}`. A missing parameter or an unknown key is an error
of the calling code, raised as `NotificationTemplateError` with the key and the parameter named.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field

from django.conf import settings

from tongban.common.public_url import public_base_url

from . import conf

APPLICANT = "applicant"
STAFF = "staff"

EMAIL_FOOTER = "\n\n{site_name}\n{public_url}\n（本邮件由系统自动发送，请勿直接回复。）"


class NotificationTemplateError(ValueError):
    """An unknown template key or a missing parameter: a bug in the caller, not a user error."""


@dataclass(frozen=True)
class MessageTemplate:
    key: str
    name: str
    audience: str
    sms: str
    subject: str
    body: str
    example: dict = field(default_factory=dict)

    def fields(self) -> set[str]:
        """The parameters the template needs (besides site_name and public_url)."""
        names: set[str] = set()
        for text in (self.sms, self.subject, self.body):
            for _, name, _, _ in string.Formatter().parse(text):
                if name:
                    names.add(name.split(".")[0].split("[")[0])
        return names - {"site_name", "public_url"}


@dataclass(frozen=True)
class Rendered:
    sms: str
    subject: str
    body: str
    in_app: str


_CASE_EXAMPLE = {"case_number": "TB202611230012", "item_name": "食品经营许可（新办）"}

TEMPLATES: dict[str, MessageTemplate] = {
    t.key: t
    for t in [
        MessageTemplate(
            key="case.accepted",
            name="办件受理",
            audience=APPLICANT,
            sms="您申请的{item_name}已受理，编号{case_number}，承诺{due_date}前办结。",
            subject="【受理通知】{item_name}（{case_number}）",
            body="您好：\n\n您申请的“{item_name}”已于{accepted_on}受理，受理编号 {case_number}。"
            "\n承诺办结时间：{due_date}。\n您可凭受理编号在网上或到窗口查询办理进度。",
            example={**_CASE_EXAMPLE, "due_date": "2026年12月8日", "accepted_on": "2026年11月23日"},
        ),
        MessageTemplate(
            key="case.refused",
            name="不予受理",
            audience=APPLICANT,
            sms="您申请的{item_name}（{case_number}）不予受理：{reason}。",
            subject="【不予受理通知】{item_name}（{case_number}）",
            body="您好：\n\n您申请的“{item_name}”（编号 {case_number}）不予受理。\n原因：{reason}\n"
            "如有疑问，可咨询受理窗口或拨打 12345。",
            example={**_CASE_EXAMPLE, "reason": "不属于本部门职权范围"},
        ),
        MessageTemplate(
            key="case.correction_requested",
            name="补正通知",
            audience=APPLICANT,
            sms="您申请的{item_name}（{case_number}）需补正材料，请于{due_date}前补正。",
            subject="【补正材料通知】{item_name}（{case_number}）",
            body="您好：\n\n您申请的“{item_name}”（编号 {case_number}）材料需要补正：\n{materials}\n"
            "请于{due_date}前在网上或到窗口一次性补正。补正期间办理时限暂停计算。",
            example={
                **_CASE_EXAMPLE,
                "due_date": "2026年12月8日",
                "materials": "营业执照副本（复印件不清晰）",
            },
        ),
        MessageTemplate(
            key="case.paused",
            name="暂停计时",
            audience=APPLICANT,
            sms="您的办件{case_number}因{reason}暂停计时，恢复后将另行通知。",
            subject="【暂停计时通知】{item_name}（{case_number}）",
            body="您好：\n\n您申请的“{item_name}”（编号 {case_number}）因{reason}暂停计算办理时限。"
            "\n恢复计时后我们会另行通知您。",
            example={**_CASE_EXAMPLE, "reason": "现场核查"},
        ),
        MessageTemplate(
            key="case.resumed",
            name="恢复计时",
            audience=APPLICANT,
            sms="您的办件{case_number}已恢复办理，预计{due_date}前办结。",
            subject="【恢复计时通知】{item_name}（{case_number}）",
            body="您好：\n\n您申请的“{item_name}”（编号 {case_number}）已恢复计算办理时限，"
            "预计{due_date}前办结。",
            example={**_CASE_EXAMPLE, "due_date": "2026年12月15日"},
        ),
        MessageTemplate(
            key="case.extended",
            name="延期办理",
            audience=APPLICANT,
            sms="您的办件{case_number}办理期限延长{days}个工作日，至{due_date}。",
            subject="【延期办理通知】{item_name}（{case_number}）",
            body="您好：\n\n您申请的“{item_name}”（编号 {case_number}）经批准延长办理期限{days}个工作日，"
            "新的办结期限为{due_date}。\n延期理由：{reason}",
            example={**_CASE_EXAMPLE, "days": 10, "due_date": "2026年12月22日", "reason": "需组织专家评审"},
        ),
        MessageTemplate(
            key="case.deadline_moved",
            name="期限调整（官方节假日安排公布）",
            audience=APPLICANT,
            sms="您的办件{case_number}期限按{year}年官方安排调整：{changes}。",
            subject="【期限调整通知】{item_name}（{case_number}）",
            body="您好：\n\n此前告知您的期限是按《全国年节及纪念日放假办法》推算的暂定日期。国务院办公厅已公布"
            "{year}年节假日安排（含调休），按官方安排重新计算后，"
            "您申请的“{item_name}”（编号 {case_number}）：{changes}。\n其他事项不变，给您带来不便敬请谅解。",
            example={
                **_CASE_EXAMPLE,
                "year": "2027",
                "changes": "办结期限改为2027年3月9日（原2027年3月8日（暂定））",
            },
        ),
        MessageTemplate(
            key="case.deadline_moved_calendar",
            name="期限调整（工作日历调整）",
            audience=APPLICANT,
            sms="您的办件{case_number}期限因工作日历调整而变更：{changes}。",
            subject="【期限调整通知】{item_name}（{case_number}）",
            body="您好：\n\n工作日历有调整（{reason}），按调整后的日历重新计算后，"
            "您申请的“{item_name}”（编号 {case_number}）：{changes}。\n其他事项不变，给您带来不便敬请谅解。",
            example={
                **_CASE_EXAMPLE,
                "reason": "2026-12-31（星期四）由工作日改为法定节假日（元旦）",
                "changes": "办结期限改为2027年1月11日（原2027年1月8日）",
            },
        ),
        MessageTemplate(
            key="case.decided",
            name="办结通知",
            audience=APPLICANT,
            sms="您申请的{item_name}（{case_number}）已办结，结果：{outcome}。",
            subject="【办结通知】{item_name}（{case_number}）",
            body="您好：\n\n您申请的“{item_name}”（编号 {case_number}）已办结。\n办理结果：{outcome}\n"
            "结果领取方式将另行通知。",
            example={**_CASE_EXAMPLE, "outcome": "准予许可"},
        ),
        MessageTemplate(
            key="case.ready_for_pickup",
            name="待领取",
            audience=APPLICANT,
            sms="您申请的{item_name}（{case_number}）结果可领取，请持身份证件到{place}领取。",
            subject="【领取通知】{item_name}（{case_number}）",
            body="您好：\n\n您申请的“{item_name}”（编号 {case_number}）办理结果已可领取。\n"
            "领取地点：{place}\n请携带本人有效身份证件；委托他人领取的，请携带委托书。",
            example={**_CASE_EXAMPLE, "place": "区政务服务中心3号窗"},
        ),
        MessageTemplate(
            key="case.posted",
            name="结果寄递",
            audience=APPLICANT,
            sms="您申请的{item_name}（{case_number}）结果已寄出，{carrier}单号{tracking_number}。",
            subject="【寄递通知】{item_name}（{case_number}）",
            body="您好：\n\n您申请的“{item_name}”（编号 {case_number}）办理结果已通过{carrier}寄出，"
            "运单号 {tracking_number}，请注意查收。",
            example={**_CASE_EXAMPLE, "carrier": "EMS", "tracking_number": "1100123456789"},
        ),
        MessageTemplate(
            key="case.issued",
            name="结果发放",
            audience=APPLICANT,
            sms="您申请的{item_name}（{case_number}）结果已发放，欢迎对本次服务作出评价。",
            subject="【办理完成】{item_name}（{case_number}）",
            body="您好：\n\n您申请的“{item_name}”（编号 {case_number}）办理结果已发放。\n"
            "欢迎您对本次服务作出评价（好差评），您的意见将帮助我们改进服务。",
            example=dict(_CASE_EXAMPLE),
        ),
        MessageTemplate(
            key="task.assigned",
            name="新待办",
            audience=STAFF,
            sms="您有新待办：{item_name}（{case_number}）{step}，请于{due_date}前处理。",
            subject="【新待办】{step}：{item_name}（{case_number}）",
            body="您好：\n\n您有一件新的待办任务。\n事项：{item_name}\n办件编号：{case_number}\n"
            "环节：{step}\n处理期限：{due_date}\n请登录系统处理。",
            example={**_CASE_EXAMPLE, "step": "审查", "due_date": "2026年11月27日"},
        ),
        MessageTemplate(
            key="supervision.reminder",
            name="催办提醒",
            audience=STAFF,
            sms="催办：办件{case_number}（{item_name}）将于{due_date}到期，请抓紧办理。",
            subject="【催办】办件 {case_number} 将于{due_date}到期",
            body="您好：\n\n办件 {case_number}（{item_name}）当前环节将于{due_date}到期，"
            "请抓紧办理，避免超期。",
            example={**_CASE_EXAMPLE, "due_date": "2026年11月25日"},
        ),
        MessageTemplate(
            key="supervision.alert",
            name="预警",
            audience=STAFF,
            sms="{level}预警：办件{case_number}（{item_name}）{reason}，请立即处理。",
            subject="【{level}预警】办件 {case_number}",
            body="您好：\n\n办件 {case_number}（{item_name}）触发{level}预警：{reason}。\n"
            "请立即处理并在系统中说明情况。",
            example={**_CASE_EXAMPLE, "level": "红牌", "reason": "已超期2个工作日"},
        ),
        MessageTemplate(
            key="supervision.card",
            name="黄牌/红牌",
            audience=STAFF,
            sms="电子监察向{department}出示{color}（{source}），请登录系统查看理由。",
            subject="【{color}】{department}",
            body="您好：\n\n电子监察向{department}出示{color}。\n依据：{source}\n理由：{reason}\n"
            "如有异议，请在系统中提出申诉。",
            example={
                "department": "天河区住房和城乡建设局",
                "color": "红牌",
                "source": "督办单逾期未反馈",
                "reason": "督办单 DB2026000001 的反馈期限已过 3 个工作日，仍未反馈。",
            },
        ),
        MessageTemplate(
            key="directive.issued",
            name="督办通知",
            audience=STAFF,
            sms="督办：{title}，请于{due_date}前办理并反馈。",
            subject="【督办通知】{title}",
            body="您好：\n\n电子监察发出督办：{title}\n{content}\n请于{due_date}前办理并在系统中反馈。",
            example={
                "title": "办件TB202611230012超期",
                "content": "请说明超期原因并限期办结。",
                "due_date": "2026年11月30日",
            },
        ),
        MessageTemplate(
            key="calendar.horizon",
            name="官方工作日历尚未导入",
            audience=STAFF,
            sms="{year}年官方节假日安排尚未导入，此后的期限为暂定日期，请尽快导入。",
            subject="【{level}】{year} 年官方节假日安排尚未导入",
            body="您好：\n\n{year} 年的官方节假日安排（国务院办公厅通知，含调休）尚未导入。现有官方日历截至"
            "{last_day}，从今天起还剩 {days_left} 个工作日。此后的日期按《全国年节及纪念日放假办法》推算"
            "法定节假日和补假，办件照常受理，但期限为暂定（目前已有 {provisional_items} 个已发布事项的新办件"
            "期限为暂定）。导入官方安排后，暂定期限自动重新计算，期限变动的申请人会收到通知。\n"
            "请在国务院办公厅公布 {year} 年节假日安排后尽快导入：{import_url}",
            example={
                "year": 2027,
                "level": "紧急",
                "days_left": 28,
                "last_day": "2026年12月31日",
                "provisional_items": 3,
                "import_url": "https://tongban.example.cn/admin/workdays/workcalendar/import/",
            },
        ),
        MessageTemplate(
            key="rating.followup",
            name="差评回访",
            audience=APPLICANT,
            sms="您对{item_name}的评价已核实处理：{result}。感谢您的监督。",
            subject="【评价回访】{item_name}",
            body="您好：\n\n您对“{item_name}”（编号 {case_number}）的服务评价已核实处理。\n"
            "处理结果：{result}\n感谢您的监督，如不满意可拨打 12345。",
            example={**_CASE_EXAMPLE, "result": "已约谈窗口人员并整改"},
        ),
    ]
}


def get_template(key: str) -> MessageTemplate:
    try:
        return TEMPLATES[key]
    except KeyError:
        raise NotificationTemplateError(
            f"未知的消息模板“{key}”，可用的模板：{', '.join(sorted(TEMPLATES))}。"
        ) from None


def template_choices() -> list[tuple[str, str]]:
    return [(t.key, f"{t.name}（{t.key}）") for t in TEMPLATES.values()]


def render(key: str, context: dict) -> Rendered:
    """Render every channel's text of template `key`; missing parameters raise with their names."""
    template = get_template(key)
    missing = sorted(name for name in template.fields() if name not in context)
    if missing:
        raise NotificationTemplateError(f"消息模板“{key}”缺少参数：{'、'.join(missing)}。")
    values = {"site_name": settings.TONGBAN_SITE_NAME, "public_url": public_base_url(), **context}
    try:
        text = template.sms.format_map(values)
        return Rendered(
            sms=f"【{conf.sms_signature()}】{text}",
            subject=template.subject.format_map(values),
            body=(template.body + EMAIL_FOOTER).format_map(values),
            in_app=text,
        )
    except (KeyError, IndexError, AttributeError, ValueError) as exc:
        raise NotificationTemplateError(f"消息模板“{key}”渲染失败：{exc!r}。") from exc
