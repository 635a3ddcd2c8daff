from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The site shell — the one menu, the front door, error pages, favicon — on top of every app, so that
    `common` below stays free of app knowledge (issue 13 point 2)."""

    name = "tongban.site"
    label = "site"
    verbose_name = "站点"
