"""What drf-spectacular cannot see on its own, documented in the OpenAPI schema.

drf-spectacular documents what a view declares; the error answers that DRF
gives on its own (bad input, no token, not found, throttled) would otherwise
be missing, and clients (and the schema fuzz test, tests/test_schema_fuzz.py)
could not rely on them. ``document_error_responses``, a postprocessing hook,
adds them to each operation that can give them, keeping any answer a view
documents itself and filling in its body when the view gave none.
``BodyOnDeleteSchema`` documents the body of a DELETE that takes one.

``PlanHerAutoSchema`` (the default schema class) marks what a client can count
on, for clients generated from the schema: every field an answer always
carries is ``required`` in its response component, and the body of a POST or
PUT is required. ``spell_auth_paths_without_slash``, a preprocessing hook,
writes the ``/auth/`` paths as the contract does.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.settings import spectacular_settings
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.permissions import AllowAny

ERROR_SCHEMAS = {
    "ErrorDetail": {
        "type": "object",
        "description": "An error that concerns the request as a whole.",
        "properties": {
            "detail": {"type": "string", "description": "What went wrong, for a person."},
            "code": {"type": "string", "description": "A stable code, e.g. `token_not_valid`."},
        },
        "required": ["detail"],
    },
    "ValidationError": {
        "type": "object",
        "description": (
            'Bad input: `{"field": ["message", ...]}` per field (`non_field_errors` for '
            'the body as a whole), or `{"detail": "message"}` when the body is not JSON.'
        ),
        "additionalProperties": {
            "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]
        },
    },
}

RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer"},
    }
}

ERROR_RESPONSES = {
    "400": ("ValidationError", "Bad input; the body says which field and why."),
    "401": (
        "ErrorDetail",
        "Not authenticated: no valid access token (at login and refresh: wrong "
        "credentials, or an invalid or revoked refresh token).",
    ),
    "404": ("ErrorDetail", "Not found: none of yours has this id, or the page is past the last."),
    "429": ("ErrorDetail", "Too many requests; retry after `Retry-After` seconds."),
}


def always_sent(serializer, field) -> bool:
    """Whether ``field`` is in every answer ``serializer`` gives.

    A model instance has every attribute, so a ModelSerializer writes all its
    readable fields. A plain serializer (answers built as dicts) skips a
    missing key only when its field is optional with no default and not
    nullable: `required=False` there means "sometimes absent".
    """
    if field.write_only:
        return False
    if isinstance(serializer, serializers.ModelSerializer):
        return True
    return field.required or field.read_only or field.default is not empty or field.allow_null


class PlanHerAutoSchema(AutoSchema):
    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        # Request and response components are separate (COMPONENT_SPLIT_REQUEST),
        # so a response field can be required while its request twin, with a
        # default, stays optional.
        if direction == "response" and spectacular_settings.COMPONENT_SPLIT_REQUEST:
            serializer = force_instance(serializer)
            sent = {
                name
                for name, field in serializer.fields.items()
                if name in schema.get("properties", {}) and always_sent(serializer, field)
            }
            required = sorted(set(schema.get("required", [])) | sent)
            if required:
                schema["required"] = required
        return schema

    def _get_request_body(self, direction="request"):
        body = super()._get_request_body(direction)
        # A POST or PUT sends the whole object, even when each of its fields
        # has a default (`{}` is a body): a generated client must ask for it.
        if body is not None and self.method in {"POST", "PUT"}:
            body["required"] = True
        return body


class BodyOnDeleteSchema(PlanHerAutoSchema):
    """For a view whose DELETE takes a body (``DELETE /auth/me``: her password).

    drf-spectacular documents request bodies on POST, PUT and PATCH only, so
    the password a client must send would be missing from the schema.
    """

    def _get_request_body(self, direction="request"):
        if self.method != "DELETE":
            return super()._get_request_body(direction)
        self.method = "POST"  # its body rules, for this one call
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"


# The paginator ignores a bad page_size; a bad page is a 404.
PAGINATION = {"page", "page_size"}


def _ref(name: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def _statuses(operation: dict, view) -> set[str]:
    """The error statuses this operation can answer with."""
    statuses = set()
    parameters = operation.get("parameters", [])
    filters = [p for p in parameters if p["in"] == "query" and p["name"] not in PAGINATION]
    if "requestBody" in operation or filters:
        statuses.add("400")  # the body or a query parameter fails validation
    if any(p["in"] == "path" for p in parameters) or any(p["name"] == "page" for p in parameters):
        statuses.add("404")  # another user's id, or a page past the last
    needs_login = not all(isinstance(p, AllowAny) for p in view.get_permissions())
    if needs_login or view.get_authenticators():
        statuses.add("401")  # a token is required, or checked when sent
    if view.get_throttles():
        statuses.add("429")
    return statuses


def spell_auth_paths_without_slash(endpoints, **kwargs):
    """Preprocessing hook: `/auth/me`, not `/auth/me/`.

    Every /auth/ route takes an optional trailing slash, like the routers'
    routes do (accounts/urls.py); the schema writes them as the contract does,
    so generated clients keep the paths they know.
    """
    prefix = "/api/v1/auth/"
    return [
        (path.rstrip("/") if path.startswith(prefix) else path, regex, method, callback)
        for path, regex, method, callback in endpoints
    ]


def document_error_responses(result, generator, request, public):
    """Postprocessing hook (SPECTACULAR_SETTINGS): the 400, 401, 404 and 429 answers."""
    views = {}
    for path, _path_regex, method, callback in generator.endpoints:
        view = generator.create_view(callback, method, request)
        path = generator.coerce_path(path, method, view)
        # As drf-spectacular does: views may look at the request (get_throttles).
        view.request = spectacular_settings.GET_MOCK_REQUEST(method, path, view, request)
        views[path, method.lower()] = view
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            view = views.get((path, method))
            if view is None:
                continue
            responses = operation.setdefault("responses", {})
            documented = {code for code in responses if code.startswith("4")}
            for code in sorted(_statuses(operation, view) | documented):
                if code not in ERROR_RESPONSES:
                    continue
                component, description = ERROR_RESPONSES[code]
                response = responses.setdefault(code, {"description": description})
                if response.get("description") in {"", "No response body"}:
                    response["description"] = description
                response.setdefault("content", _ref(component))
                if code == "429":
                    response.setdefault("headers", RETRY_AFTER)
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
    return result
