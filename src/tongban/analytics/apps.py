from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "tongban.analytics"
    label = "analytics"
    verbose_name = "统计分析"

    def ready(self) -> None:
        # A fee recorded on a case is checked against the catalogue at once, not at the next hourly sweep.
        from tongban.cases.signals import case_fee_recorded

        case_fee_recorded.connect(fee_anomaly_detect, dispatch_uid="analytics.fee_anomaly_detect")


def fee_anomaly_detect(sender, *, case_id: int, **kwargs) -> None:
    """After a fee is recorded: run the anomaly rules over that one case, so a fee that differs from the
    catalogue shows on the supervisors' list at once."""
    from .services import anomalies_detect

    anomalies_detect(case_ids=[case_id])
