from rest_framework import pagination

# The bounds the paginator enforces, as the schema declares them: a page past
# the last (or below 1) answers 404; a page_size above the maximum is cut to it.
PAGE_SCHEMA = {"type": "integer", "minimum": 1}
PAGE_SIZE_MAX = 500
PAGE_SIZE_SCHEMA = {"type": "integer", "minimum": 1, "maximum": PAGE_SIZE_MAX, "default": 50}


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N&page_size=N` (default 50, at most 500), as the contract says."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = PAGE_SIZE_MAX
    page_query_description = "A page number, from 1 (404 past the last)."
    page_size_query_description = f"Results per page, 1 to {PAGE_SIZE_MAX} (default 50)."

    def get_schema_operation_parameters(self, view):
        schemas = {self.page_query_param: PAGE_SCHEMA, self.page_size_query_param: PAGE_SIZE_SCHEMA}
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"] = dict(schemas[parameter["name"]])
        return parameters

    def get_paginated_response_schema(self, schema):
        # `next` and `previous` are always sent (null at either end): a generated
        # client must see them as present, so they are required like the rest.
        body = super().get_paginated_response_schema(schema)
        body["required"] = ["count", "next", "previous", "results"]
        return body
