"""Issue 12, point 7: what the notices print, read back from the PDF — local (Beijing) dates, one page
when it fits, one type face for labels and body, a decision title on one line, and a QR code that opens
the platform at its public address (decoded by zxing-cpp, an independent decoder)."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import pytest
import zxingcpp
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from tongban.cases import services
from tongban.cases.choices import DocumentKind
from tongban.cases.documents import document_pdf
from tongban.cases.models import CaseDocument, Step
from tongban.common.pdf import Notice, render_notice

from .helpers import define_serial, submit_online

BJ = dt.timezone(dt.timedelta(hours=8))
PUBLIC = "https://zwfw.tianhe.example.gov.cn"


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def fonts_of(pdf: bytes) -> dict[str, set[str]]:
    """Each piece of text on page 1 → the fonts it is drawn in (subset prefix removed)."""
    found: dict[str, set[str]] = {}

    def visit(text, cm, tm, font, size):
        if text.strip() and font is not None:
            found.setdefault(text.strip(), set()).add(str(font["/BaseFont"]).split("+", 1)[-1])

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return found


def qr_of(pdf: bytes) -> str:
    """The QR code's content, decoded from the image embedded in the PDF."""
    [image] = [i.image for page in PdfReader(io.BytesIO(pdf)).pages for i in page.images]
    [result] = zxingcpp.read_barcodes(image)
    assert result.format == zxingcpp.BarcodeFormat.QRCode
    return result.text


def realistic(world) -> None:
    world.hall.name = "广州市天河区政务服务中心"
    world.hall.save()
    world.housing.name = "广州市天河区住房和城乡建设局"
    world.housing.save()
    world.serial_item.name = "建设工程规划许可证核发（建筑工程类）"
    world.serial_item.result_name = "建设工程规划许可证（建筑工程类）"
    world.serial_item.save()
    world.applicant.name = "广州天河云帆科技有限公司"
    world.applicant.save()
    define_serial(world)


def submitted_at(world, clock, when: dt.datetime):
    clock.move_to(when)
    case = submit_online(world)
    clock.move_to(dt.datetime(2026, 3, 2, 10, 0, tzinfo=BJ))
    return services.case_accept(actor=world.clerk, case_id=case.pk)


def acceptance_pdf(case) -> bytes:
    return document_pdf(CaseDocument.objects.get(case=case, kind=DocumentKind.ACCEPTANCE))


@pytest.mark.parametrize(
    ("when", "printed"),
    [
        (dt.datetime(2026, 3, 1, 23, 30, tzinfo=BJ), "2026年3月1日"),  # 15:30 UTC the same day
        (dt.datetime(2026, 3, 2, 0, 30, tzinfo=BJ), "2026年3月2日"),  # 16:30 UTC the day before
    ],
)
def test_the_acceptance_notice_prints_the_beijing_submission_date(world, clock, when, printed):
    realistic(world)
    case = submitted_at(world, clock, when)
    text = "".join(pages_text(acceptance_pdf(case))).replace("\n", "")
    assert f"你（单位）于{printed}提出的" in text
    assert "2026年3月2日" in text  # 成文日期: the day of acceptance


def test_the_acceptance_notice_fits_one_page_with_its_footer(world, clock):
    realistic(world)
    case = submitted_at(world, clock, dt.datetime(2026, 3, 2, 0, 30, tzinfo=BJ))
    pages = pages_text(acceptance_pdf(case))
    assert len(pages) == 1
    assert "本通知书一式两份" in pages[0] and "第 1 页 共 1 页" in pages[0]


def test_labels_and_body_share_one_face_and_the_title_stands_apart(world, clock):
    realistic(world)
    case = submitted_at(world, clock, dt.datetime(2026, 3, 2, 0, 30, tzinfo=BJ))
    fonts = fonts_of(acceptance_pdf(case))
    body = fonts["广州天河云帆科技有限公司："]
    for label in ("办件编号：", "查询码：", "承诺办结日期："):
        assert fonts[label] == body, label
    assert fonts[case.number] == body
    assert fonts["受理通知书"] != body


def test_the_decision_title_is_one_line(world, clock):
    realistic(world)
    case = submitted_at(world, clock, dt.datetime(2026, 3, 2, 9, 0, tzinfo=BJ))
    review = Step.objects.get(case=case, status="open")
    services.step_complete(actor=world.approvers["住建"], step_id=review.pk, outcome="pass", opinion="符合")
    services.case_decide(
        actor=world.heads["住建"],
        case_id=case.pk,
        decision="approved",
        reason="符合条件",
        legal_basis="第四十条",
    )
    pdf = document_pdf(CaseDocument.objects.get(case=case, kind=DocumentKind.DECISION))
    [page] = pages_text(pdf)
    assert page.splitlines()[0] == "建设工程规划许可证（建筑工程类）准予决定书"


def test_the_qr_code_opens_the_public_address(world, clock, settings):
    settings.TONGBAN_PUBLIC_URL = PUBLIC + "/"
    case = submitted_at(world, clock, dt.datetime(2026, 3, 2, 9, 0, tzinfo=BJ))
    expected = f"{PUBLIC}/track/?no={case.number}&code={case.query_code}"
    assert qr_of(acceptance_pdf(case)) == expected


def test_without_the_setting_the_qr_code_opens_the_address_the_clerk_used(world, clock, client, settings):
    """The demo's fallback: the request's host, fixed into the notice when it is issued, so the PDF
    rendered later (here: outside any request) prints it too."""
    settings.TONGBAN_PUBLIC_URL = ""
    define_serial(world)
    case = submit_online(world)
    client.force_login(world.clerk)
    response = client.post(
        reverse("work:case-accept", args=[case.pk]),
        {"expected_version": case.version},
        HTTP_HOST="192.168.1.20:8000",
    )
    assert response.status_code == 302
    case.refresh_from_db()
    doc = CaseDocument.objects.get(case=case, kind=DocumentKind.ACCEPTANCE)
    expected = f"http://192.168.1.20:8000/track/?no={case.number}&code={case.query_code}"
    assert doc.content["qr_url"] == expected
    assert qr_of(render_notice(Notice.from_data(doc.content))) == expected
    assert client.get(expected.removeprefix("http://192.168.1.20:8000")).status_code == 200


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")
def test_the_printed_page_scans(world, clock, settings, tmp_path):
    """The whole page rendered at 150 dpi (as a printer or a phone camera sees it) still decodes."""
    settings.TONGBAN_PUBLIC_URL = PUBLIC
    case = submitted_at(world, clock, dt.datetime(2026, 3, 2, 9, 0, tzinfo=BJ))
    (tmp_path / "notice.pdf").write_bytes(acceptance_pdf(case))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-singlefile", "notice.pdf", "page"], cwd=tmp_path, check=True
    )
    [result] = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert result.text == f"{PUBLIC}/track/?no={case.number}&code={case.query_code}"
