from django.urls import path

from . import api

urlpatterns = [
    path("supervision/deadlines/", api.DeadlineListApi.as_view(), name="api-supervision-deadlines"),
    path(
        "supervision/deadlines/<int:deadline_id>/",
        api.DeadlineDetailApi.as_view(),
        name="api-supervision-deadline",
    ),
    path(
        "supervision/deadlines/<int:deadline_id>/remind/",
        api.DeadlineRemindApi.as_view(),
        name="api-supervision-deadline-remind",
    ),
    path("supervision/counts/", api.CountsApi.as_view(), name="api-supervision-counts"),
    path("supervision/directives/", api.DirectiveListApi.as_view(), name="api-supervision-directives"),
    path(
        "supervision/directives/<int:directive_id>/",
        api.DirectiveDetailApi.as_view(),
        name="api-supervision-directive",
    ),
    path(
        "supervision/directives/<int:directive_id>/respond/",
        api.DirectiveRespondApi.as_view(),
        name="api-supervision-directive-respond",
    ),
    path(
        "supervision/directives/<int:directive_id>/close/",
        api.DirectiveCloseApi.as_view(),
        name="api-supervision-directive-close",
    ),
    path(
        "supervision/directives/<int:directive_id>/reissue/",
        api.DirectiveReissueApi.as_view(),
        name="api-supervision-directive-reissue",
    ),
    path(
        "supervision/directive-response-rates/",
        api.ResponseRatesApi.as_view(),
        name="api-supervision-response-rates",
    ),
    path("supervision/card-rules/", api.CardRuleListApi.as_view(), name="api-supervision-card-rules"),
    path(
        "supervision/card-rules/<int:rule_id>/",
        api.CardRuleDetailApi.as_view(),
        name="api-supervision-card-rule",
    ),
    path("supervision/cards/", api.CardListApi.as_view(), name="api-supervision-cards"),
    path("supervision/cards/<int:card_id>/", api.CardDetailApi.as_view(), name="api-supervision-card"),
    path(
        "supervision/cards/<int:card_id>/appeal/",
        api.CardAppealApi.as_view(),
        name="api-supervision-card-appeal",
    ),
    path(
        "supervision/cards/<int:card_id>/decide/",
        api.CardDecideApi.as_view(),
        name="api-supervision-card-decide",
    ),
]
