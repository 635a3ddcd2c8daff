from tongban.notifications.refs import RefLink, ref_link


def test_refs_read_as_what_they_point_at():
    assert ref_link("") is None
    assert ref_link("case:12") == RefLink("办件 12", "/work/cases/12/")
    assert ref_link("directive:3") == RefLink("督办单 3", "/supervision/directives/3/")
    assert ref_link("rating_followup:7") == RefLink("差评整改单 7", "/ratings/followups/")
    assert ref_link("calendar:2027") == RefLink("工作日历 2027", "/workdays/")
    assert ref_link("case:abc") == RefLink("办件 abc", None)  # not an id: no link, nothing raised
    assert ref_link("something:else") == RefLink("something:else", None)
