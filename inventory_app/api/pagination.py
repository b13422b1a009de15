"""Pagination of API lists: ?page=N&page_size=M (max 500)."""

from rest_framework.pagination import PageNumberPagination


class DefaultPagination(PageNumberPagination):
    """Page-number pagination with a client-chosen page size up to 500."""

    page_size_query_param = "page_size"
    max_page_size = 500
