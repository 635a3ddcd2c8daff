"""What runs when — the one place an operator reads.

Every entry is a periodic job enqueued by `tongban scheduler` onto the django-tasks queue and executed
by `tongban db_worker`. All tasks listed here are idempotent sweeps: running one twice, or late, is
harmless. Times of day are Beijing time (settings.TIME_ZONE). Change a cadence here; the scheduler
picks it up at its next start (the stored next due time is kept until it comes round).
"""

from __future__ import annotations

import datetime as dt

from .jobs import DailyAt, Every, Job

SCHEDULE: list[Job] = [
    Job(
        key="cases.intake_overdue",
        task="tongban.cases.tasks.flag_intake_overdue_task",
        when=DailyAt(dt.time(0, 20)),
        doc="受理五日规则：网上申请超过 5 个工作日仍未受理的，标记逾期。每天凌晨一次（按工作日计算）。",
    ),
    Job(
        key="supervision.warning_sweep",
        task="tongban.supervision.tasks.warning_sweep_task",
        when=Every(minutes=15),
        doc="电子监察扫描：时限监控到达预警/超期/升级日期的，更新级别并发送催办与告警。",
    ),
    Job(
        key="hall.appointment_no_show",
        task="tongban.hall.tasks.appointment_no_show_sweep_task",
        when=Every(minutes=15),
        doc="预约爽约：时段结束仍未签到的预约记为爽约（计入爽约限制）。",
    ),
    Job(
        key="hall.ticket_close_day",
        task="tongban.hall.tasks.ticket_close_day_sweep_task",
        when=DailyAt(dt.time(0, 10)),
        doc="排队号日结：前一天仍在等候或已叫号的号票关闭（计为未办理离开）。",
    ),
    Job(
        key="ratings.ratables_register",
        task="tongban.ratings.tasks.ratables_register_task",
        when=Every(minutes=5),
        doc="好差评登记：已办结的号票、网上办结的办件、已使用的自助终端会话登记为可评价的服务。",
    ),
    Job(
        key="ratings.default",
        task="tongban.ratings.tasks.ratings_default_task",
        when=Every(minutes=60),
        doc="默认好评：超过评价期限仍未评价的服务，记为“基本满意”。",
    ),
    Job(
        key="analytics.case_facts_refresh",
        task="tongban.analytics.tasks.case_facts_refresh_task",
        when=Every(minutes=5),
        doc="统计事实刷新：重算上次以来变化过的办件的效能事实（看板与报表的数据源）。",
    ),
    Job(
        key="analytics.anomalies_detect",
        task="tongban.analytics.tasks.anomalies_detect_task",
        when=Every(minutes=60),
        doc="异常发现：在效能事实中查找并记录新的异常。",
    ),
    Job(
        key="analytics.monthly_report",
        task="tongban.analytics.tasks.monthly_report_task",
        when=DailyAt(dt.time(6, 0)),
        doc="月度报告：每月第一个工作日生成上月报告（只生成一次；其余日子什么也不做）。",
    ),
    Job(
        key="workdays.calendar_horizon",
        task="tongban.workdays.tasks.calendar_horizon_check_task",
        when=DailyAt(dt.time(7, 30)),
        doc="工作日历：按法定节假日推算的暂定年度保持至少领先两年（日历永不用完）；下一年度官方安排尚未导入时"
        "通知管理员（每个级别只通知一次）。",
    ),
    Job(
        key="notifications.retry_due",
        task="tongban.notifications.tasks.retry_due_messages_task",
        when=Every(minutes=5),
        doc="消息重发：到期的发送失败消息再试一次（每次至多 500 条）。",
        kwargs={"limit": 500},
    ),
]
