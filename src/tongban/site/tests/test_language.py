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


HAN = r"[\u4e00-\u9fff]"


def _english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def _main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def test_every_english_message_is_translated():
    """No empty or fuzzy msgstr in the English catalogue (run makemessages, translate, compilemessages)."""
    import re
    from pathlib import Path

    po = (Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = po.split("\n\n")[1:]  # the first is the header
    untranslated = [
        e
        for e in entries
        if re.search(r'^msgstr(?:\[\d\])? ""\n(?!")', e + "\n", flags=re.M) or "#, fuzzy" in e
    ]
    assert not untranslated, untranslated[:5]
    mo = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.mo"
    assert mo.stat().st_mtime >= 0 and mo.stat().st_size > 50_000  # compiled and committed with the .po


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/accounts/register/", "/accounts/register/?type=legal"]
)
def test_sign_in_and_sign_up_pages_read_wholly_in_english(client, path):
    import re

    main = _main(_english(client).get(path).content.decode())
    assert not re.findall(f"{HAN}+", main), re.findall(f"{HAN}+", main)


@pytest.mark.django_db
def test_issue_12_strings_in_english(client):
    """Strings of the last session: the guide's citizen search, the menu's sign-in links."""
    page = _english(client).get("/guide/").content.decode()
    assert "Just say what you want to do" in page
    assert ">Log in</a>" in page and "?next=/guide/" in page
