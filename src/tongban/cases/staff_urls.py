"""Staff pages, mounted at /work/ with the namespace "work"."""

from django.urls import path

from .staff_views import case, files, intake, lists, processes

urlpatterns = [
    path("", lists.dashboard, name="dashboard"),
    path("intake/", lists.intake_queue, name="intake"),
    path("intake/new/", intake.intake_new, name="intake-new"),
    path("intake/new/<int:applicant_id>/", intake.intake_item, name="intake-item"),
    path("intake/new/<int:applicant_id>/<int:item_id>/", intake.intake_form, name="intake-form"),
    path("issuance/", lists.issuance_list, name="issuance"),
    path("tasks/", lists.tasks, name="tasks"),
    path("processes/<int:item_id>/", processes.process_edit, name="process-edit"),
    path("processes/<int:item_id>/preview/", processes.process_preview, name="process-preview"),
    path("cases/<int:case_id>/", case.case_detail, name="case"),
    path("cases/<int:case_id>/accept/", case.case_accept, name="case-accept"),
    path("cases/<int:case_id>/refuse/", case.case_refuse, name="case-refuse"),
    path("cases/<int:case_id>/correction/", case.case_correction, name="case-correction"),
    path("cases/<int:case_id>/resubmit/", case.case_resubmit, name="case-resubmit"),
    path("cases/<int:case_id>/immediate/", case.case_immediate, name="case-immediate"),
    path("cases/<int:case_id>/issue/", case.case_issue, name="case-issue"),
    path("cases/<int:case_id>/decide/", case.case_decide, name="case-decide"),
    path("cases/<int:case_id>/pause/", case.case_pause, name="case-pause"),
    path("cases/<int:case_id>/resume/", case.case_resume, name="case-resume"),
    path("cases/<int:case_id>/extend/", case.case_extend, name="case-extend"),
    path("cases/<int:case_id>/fee/", case.case_fee, name="case-fee"),
    path("cases/<int:case_id>/steps/<int:step_id>/complete/", case.step_complete, name="step-complete"),
    path(
        "cases/<int:case_id>/materials/<int:material_id>/upload/",
        case.material_upload,
        name="material-upload",
    ),
    path(
        "cases/<int:case_id>/materials/<int:material_id>/check/",
        case.material_check,
        name="material-check",
    ),
    path(
        "cases/<int:case_id>/materials/<int:material_id>/",
        files.material_download,
        name="material-download",
    ),
    path(
        "cases/<int:case_id>/documents/<int:document_id>/",
        files.document_download,
        name="document-download",
    ),
]
