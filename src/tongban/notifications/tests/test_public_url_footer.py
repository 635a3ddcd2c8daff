"""E-mail links use TONGBAN_PUBLIC_URL (common.public_url; issue 12, point 7)."""

from __future__ import annotations

from tongban.notifications.templates import get_template, render


def test_e_mail_footer_links_to_the_public_address(settings):
    settings.TONGBAN_PUBLIC_URL = "https://zwfw.example.gov.cn"
    rendered = render("case.accepted", dict(get_template("case.accepted").example))
    assert "https://zwfw.example.gov.cn" in rendered.body and "127.0.0.1" not in rendered.body
