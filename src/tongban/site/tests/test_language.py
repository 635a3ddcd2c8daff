import pytest
from django.conf import settings


@pytest.mark.django_db
def test_chinese_by_default_even_for_an_english_browser(client):
    response = client.get("/guide/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in response.content.decode()


@pytest.mark.django_db
def test_the_language_switch_chooses_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/guide/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/guide/")
    assert page["Content-Language"] == "en"
    assert '<html lang="en">' in page.content.decode()
    assert ">Track a case</a>" in page.content.decode()  # the menu entry added in session 4 is translated
    assert ">Page not found</h1>" in client.get("/no-such-page/").content.decode()
