"""Public service guide (办事指南): no login anywhere. Included at the site root, namespace "catalogue".

The guide's home is at guide/ because the site root "" belongs to common.home, which redirects here.
"""

from django.urls import path

from . import views

urlpatterns = [
    path("guide/", views.guide_home, name="guide-home"),
    path("guide/browse/", views.guide_browse, name="browse"),
    path("guide/events/<slug:code>/", views.life_event_detail, name="life-event"),
    path("search/", views.guide_search, name="guide-search"),
    path("search/suggest/", views.guide_suggest, name="guide-suggest"),
    path("items/<str:code>/", views.item_detail, name="item-detail"),
]
