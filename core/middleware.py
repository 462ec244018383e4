"""Middleware of the API's own."""


class NoStoreApiMiddleware:
    """Every answer under ``/api/`` carries ``Cache-Control: no-store``.

    Most of them hold her health data; no browser, proxy or shared cache may
    keep a copy. Errors and throttled answers included, so none slips through.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            response["Cache-Control"] = "no-store"
        return response
