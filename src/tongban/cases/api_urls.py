"""Cases routes of the REST API, mounted at /api/v1/ by tongban.api.urls."""

from django.urls import path

from . import api, api_process

urlpatterns = [
    path("cases/", api.CaseListApi.as_view(), name="api-case-list"),
    path("cases/drafts/", api.DraftCreateApi.as_view(), name="api-case-draft-create"),
    path("cases/submit/", api.SubmitApi.as_view(), name="api-case-submit"),
    path("cases/<int:case_id>/", api.CaseDetailApi.as_view(), name="api-case-detail"),
    path("cases/<int:case_id>/draft/", api.DraftUpdateApi.as_view(), name="api-case-draft"),
    path("cases/<int:case_id>/materials/", api.MaterialListApi.as_view(), name="api-case-materials"),
    path(
        "cases/<int:case_id>/materials/<int:material_id>/",
        api.MaterialUploadApi.as_view(),
        name="api-case-material-upload",
    ),
    path(
        "cases/<int:case_id>/materials/<int:material_id>/check/",
        api.MaterialCheckApi.as_view(),
        name="api-case-material-check",
    ),
    path("cases/<int:case_id>/accept/", api.AcceptApi.as_view(), name="api-case-accept"),
    path("cases/<int:case_id>/refuse/", api.RefuseApi.as_view(), name="api-case-refuse"),
    path("cases/<int:case_id>/request-correction/", api.CorrectionApi.as_view(), name="api-case-correction"),
    path("cases/<int:case_id>/resubmit/", api.ResubmitApi.as_view(), name="api-case-resubmit"),
    path("cases/<int:case_id>/withdraw/", api.WithdrawApi.as_view(), name="api-case-withdraw"),
    path("cases/<int:case_id>/decide/", api.DecideApi.as_view(), name="api-case-decide"),
    path("cases/<int:case_id>/pause/", api.PauseApi.as_view(), name="api-case-pause"),
    path("cases/<int:case_id>/resume/", api.ResumeApi.as_view(), name="api-case-resume"),
    path("cases/<int:case_id>/extend/", api.ExtendApi.as_view(), name="api-case-extend"),
    path("cases/<int:case_id>/issue/", api.IssueApi.as_view(), name="api-case-issue"),
    path(
        "cases/<int:case_id>/handle-immediately/",
        api.ImmediateApi.as_view(),
        name="api-case-handle-immediately",
    ),
    path("cases/<int:case_id>/visits/", api.VisitApi.as_view(), name="api-case-visit"),
    path("cases/<int:case_id>/fee/", api.FeeApi.as_view(), name="api-case-fee"),
    path("cases/<int:case_id>/events/", api.EventListApi.as_view(), name="api-case-events"),
    path("cases/<int:case_id>/documents/", api.DocumentListApi.as_view(), name="api-case-documents"),
    path(
        "cases/<int:case_id>/documents/<int:document_id>/download/",
        api.DocumentDownloadApi.as_view(),
        name="api-case-document-download",
    ),
    path("intake/", api.IntakeQueueApi.as_view(), name="api-intake-queue"),
    path("intake/applicants/", api.IntakeApplicantApi.as_view(), name="api-intake-applicant"),
    path("intake/register/", api.IntakeRegisterApi.as_view(), name="api-intake-register"),
    path("tasks/todo/", api.TasksTodoApi.as_view(), name="api-tasks-todo"),
    path("tasks/in-progress/", api.TasksInProgressApi.as_view(), name="api-tasks-in-progress"),
    path("tasks/done/", api.TasksDoneApi.as_view(), name="api-tasks-done"),
    path("steps/<int:step_id>/complete/", api.StepCompleteApi.as_view(), name="api-step-complete"),
    path("processes/<str:code>/", api.ProcessApi.as_view(), name="api-process"),
    path(
        "process-definitions/<int:item_id>/",
        api_process.ProcessDefinitionApi.as_view(),
        name="api-process-definition",
    ),
    path(
        "process-definitions/<int:item_id>/check/",
        api_process.ProcessCheckApi.as_view(),
        name="api-process-check",
    ),
    path("forms/<str:code>/", api.ApplicationFormApi.as_view(), name="api-application-form"),
    path("track/", api.TrackApi.as_view(), name="api-track"),
]
