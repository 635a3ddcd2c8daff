"""Applicant and public routes of the cases app, mounted at "" with namespace "cases"."""

from django.urls import path

from . import views

urlpatterns = [
    path("items/<str:code>/apply/", views.apply, name="apply"),
    path("drafts/<int:case_id>/", views.draft, name="draft"),
    path("drafts/<int:case_id>/discard/", views.draft_withdraw, name="draft-discard"),
    path("my/", views.my_cases, name="my-cases"),
    path(
        "my/files/<int:case_id>/materials/<int:material_id>/upload/",
        views.material_upload,
        name="material-upload",
    ),
    path(
        "my/files/<int:case_id>/materials/<int:material_id>/",
        views.material_download,
        name="material-download",
    ),
    path("my/<str:number>/", views.case_detail, name="case-detail"),
    path("my/<str:number>/receipt/", views.receipt, name="receipt"),
    path("my/<str:number>/resubmit/", views.resubmit, name="resubmit"),
    path("my/<str:number>/withdraw/", views.withdraw, name="withdraw"),
    path("my/<str:number>/documents/<int:document_id>/", views.document_download, name="document-download"),
    path("track/", views.track, name="track"),
]
