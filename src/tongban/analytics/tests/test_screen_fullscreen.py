"""The big screen (监察大屏) is full-screen: none of the site's header, menu, banners or footer — even
when the calendar banner shows on every other page of a supervisor (issue 12 point 9)."""

from __future__ import annotations

import datetime as dt

import time_machine

TZ = dt.timezone(dt.timedelta(hours=8))


def test_the_screen_has_no_site_chrome(client, data):
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=TZ), tick=False):  # 2027 not imported yet
        client.force_login(data.supervisor)
        response = client.get("/analytics/")
        assert response.status_code == 200, (response.status_code, response.get("Location"))
        other = response.content.decode()
        page = client.get("/analytics/screen/")
    body = page.content.decode()
    assert 'class="navbar' in other and "<footer" in other  # what the other pages carry
    # (and, while 2027 is not imported, the calendar banner — unless the calendar never runs out)
    assert page.status_code == 200
    for chrome in ('class="navbar', "<footer", 'id="calendar-horizon"', "skip-link", 'id="mainnav"'):
        assert chrome not in body, chrome
    assert '<main id="main"' in body and 'id="screen-fullscreen"' in body and "监察大屏" in body
    assert 'href="/analytics/"' in body  # a way back for whoever opened it from the site
