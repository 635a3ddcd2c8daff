"""Page-number pagination whose refusals speak like the rest of the API: a page that is not a positive
whole number is a 400 naming `page`, a page past the end a 404 saying how many pages there are."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination

from tongban.common.errors import NotFound, ValidationFailed


class Pagination(PageNumberPagination):
    def get_page_number(self, request, paginator):
        value = str(request.query_params.get(self.page_query_param) or 1).strip()
        if value in self.last_page_strings:
            return paginator.num_pages
        if not value.isdigit() or int(value) < 1:
            raise ValidationFailed("页码应为正整数。", field=self.page_query_param)
        return int(value)

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound:  # DRF's "无效页面。" for a page past the end
            pages = self.django_paginator_class(queryset, self.get_page_size(request)).num_pages
            raise NotFound(f"页码超出范围（共 {max(pages, 1)} 页）。", field=self.page_query_param) from None
