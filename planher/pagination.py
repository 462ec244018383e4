from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N&page_size=N` (default 50, at most 500), as the contract says."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
