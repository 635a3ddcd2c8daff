from django.urls import path

from . import views

urlpatterns = [
    path("", views.deadline_list, name="deadlines"),
    path("deadlines/<int:deadline_id>/", views.deadline_detail, name="deadline"),
    path("deadlines/<int:deadline_id>/remind/", views.deadline_remind, name="remind"),
    path("directives/", views.directive_list, name="directives"),
    path("directives/new/", views.directive_new, name="directive-new"),
    path("directives/<int:directive_id>/", views.directive_detail, name="directive"),
    path("directives/<int:directive_id>/respond/", views.directive_respond, name="directive-respond"),
    path("directives/<int:directive_id>/close/", views.directive_close, name="directive-close"),
    path("directives/<int:directive_id>/reissue/", views.directive_reissue, name="directive-reissue"),
    path("card-rules/", views.card_rule_list, name="card-rules"),
    path("card-rules/<int:rule_id>/", views.card_rule_detail, name="card-rule"),
    path("cards/", views.card_list, name="cards"),
    path("cards/new/", views.card_new, name="card-new"),
    path("cards/<int:card_id>/", views.card_detail, name="card"),
    path("cards/<int:card_id>/appeal/", views.card_appeal, name="card-appeal"),
    path("cards/<int:card_id>/decide/", views.card_decide, name="card-decide"),
]
