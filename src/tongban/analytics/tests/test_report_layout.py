"""Report PDFs keep a figure on one line (issue 12 point 9): with the monthly report's seventeen columns
and real department names, "100.0%" used to break after "100.0". Read back from the PDF's text."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from tongban.analytics.selectors import COLUMNS
from tongban.common.pdf import render_table_report

NAMES = ["广州市天河区市场监督管理局", "天河区住房和城乡建设局", "广州市公安局天河区分局", "天河区卫生健康局"]


def test_monthly_report_figures_stay_on_one_line():
    columns = ["名次", "部门", *[title for _, title in COLUMNS]]
    row = [
        1234,
        1200,
        3,
        1188,
        "100.0%",
        "87.5%",
        "6.25",
        "12.00",
        "55.3%",
        "0.85",
        "100.0%",
        "12.5%",
        4,
        7,
        "100.0%",
    ]
    rows = [[i, name, *row] for i, name in enumerate(NAMES, start=1)]
    pdf = render_table_report(title="2026年11月政务服务绩效月度通报", columns=columns, rows=rows)
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    lines = [line.strip() for line in text.splitlines()]
    assert text.count("100.0%") == 3 * len(NAMES)
    assert not [line for line in lines if re.fullmatch(r"\d+(\.\d+)?", line) and line.endswith(".0")]
    assert "%" not in [line for line in lines]  # no "%" left alone on a line
    for name in NAMES:  # the names wrap instead, at most onto two lines
        assert name[:5] in text.replace("\n", "")
