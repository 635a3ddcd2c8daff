"""Every ID number and credit code the demo carries — in its data files, its applicants and departments,
and in the demo cases (form fields, agents, receivers at pickup) — is valid by the standards' own
formulas (``common.tests.standards``), computed here independently of the validators (issue 12)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tongban.cases.forms import form_for_item
from tongban.cases.models import Case, CaseEvent
from tongban.common.tests.standards import gb11643_valid, gb32100_valid
from tongban.demo import loader
from tongban.demo.cases import load_demo_cases

ID_KEYS = ("id_number", "contact_id_number", "agent_id_number", "receiver_id_number")
CODE_KEYS = ("credit_code", "department_credit_code")


def _walk(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}")
            if isinstance(value, str) and value:
                yield key, value, f"{path}.{key}"
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}[{i}]")


def test_every_number_in_the_demo_data_files_is_valid():
    files = sorted(Path(loader.DATA_DIR).rglob("*.json"))
    seen = 0
    for file in files:
        for key, value, where in _walk(json.loads(file.read_text(encoding="utf-8"))):
            if key in ID_KEYS:
                assert gb11643_valid(value), f"{file.name}{where}: {value}"
                seen += 1
            elif key in CODE_KEYS:
                assert gb32100_valid(value), f"{file.name}{where}: {value}"
                seen += 1
    assert seen >= 25  # 19 departments, 6 applicants, 2 contacts


@pytest.mark.django_db
def test_every_number_in_the_demo_cases_is_valid(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    loader.load_demo(verbosity=0)
    load_demo_cases(verbosity=0)
    checked = 0
    for case in Case.objects.select_related("item"):
        if case.agent_id_number:
            assert gb11643_valid(case.agent_id_number), case.number
            checked += 1
        for field in form_for_item(case.item).get("fields", []):
            value = (case.form_data or {}).get(field["key"])
            if not value or field["type"] not in ("idnumber", "creditcode", "identity"):
                continue
            assert gb11643_valid(value) or gb32100_valid(value), (case.number, field["key"], value)
            checked += 1
    receivers = [
        e.detail["receiver_id_number"]
        for e in CaseEvent.objects.filter(kind="issued")
        if e.detail.get("method") == "pickup"
    ]
    assert receivers and all(gb11643_valid(n) for n in receivers), receivers
    assert checked > 0


@pytest.mark.django_db
def test_the_loader_refuses_a_wrong_number(monkeypatch):
    """The loader full_cleans every row: a wrong check digit in the data files stops the load."""
    from django.core.exceptions import ValidationError

    from tongban.accounts.models import Applicant
    from tongban.common.tests.standards import wrong_check

    real = loader._read

    def tampered(name):
        data = real(name)
        if name != "people.json":
            return data
        applicants = [dict(a) for a in data["applicants"]]
        applicants[0]["id_number"] = wrong_check(applicants[0]["id_number"])
        return {**data, "applicants": applicants}

    monkeypatch.setattr(loader, "_read", tampered)
    with pytest.raises(ValidationError) as exc:
        loader.load_demo(verbosity=0)
    assert "身份证号码校验位不正确" in str(exc.value)
    assert not Applicant.objects.exists()


@pytest.mark.django_db
def test_loading_again_corrects_the_numbers_of_an_older_demo_database():
    """Demo databases loaded before issue 12 hold the old (invalid) numbers: a reload corrects them in
    place — the login keeps its applicant, the walk-in is not duplicated."""
    from tongban.accounts.models import Applicant

    loader.load_demo(verbosity=0)
    count = Applicant.objects.count()
    old = {"zhangsan": "440106198503120034", None: "440106195806200310"}
    Applicant.objects.filter(user__username="zhangsan").update(id_number=old["zhangsan"])
    Applicant.objects.filter(name="赵磊").update(id_number=old[None])
    loader.load_demo(verbosity=0)
    assert Applicant.objects.count() == count
    assert Applicant.objects.get(user__username="zhangsan").id_number == "440106198503120031"
    assert Applicant.objects.get(name="赵磊").id_number == "440106195806200318"
