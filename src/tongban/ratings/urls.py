from django.urls import path

from . import views

urlpatterns = [
    path("r/<str:token>/", views.rate_by_token, name="rate"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:service_id>/", views.rate_mine, name="rate-mine"),
    path("followups/", views.followups, name="followups"),
    path("followups/<int:followup_id>/", views.followup_detail, name="followup"),
    path("followups/<int:followup_id>/<str:action>/", views.followup_action, name="followup-action"),
    path("figures/", views.figures, name="figures"),
]
