from django.urls import path

from . import api

urlpatterns = [
    path("ratings/", api.SubmitApi.as_view(), name="api-ratings-submit"),
    path("ratings/mine/", api.MyUnratedApi.as_view(), name="api-ratings-mine"),
    path("ratings/followups/", api.FollowUpListApi.as_view(), name="api-ratings-followups"),
    path(
        "ratings/followups/<int:followup_id>/", api.FollowUpDetailApi.as_view(), name="api-ratings-followup"
    ),
    path(
        "ratings/followups/<int:followup_id>/<str:action>/",
        api.FollowUpActionApi.as_view(),
        name="api-ratings-followup-action",
    ),
    path("ratings/figures/", api.FiguresApi.as_view(), name="api-ratings-figures"),
]
