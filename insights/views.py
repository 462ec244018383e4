from django.core.cache import cache
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import renderers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.renderers import JSONRenderer
from core.userdata import ANSWER_CACHE_SECONDS, answer_cache_key, cached_answer

from . import report, services
from . import serializers as s

# Cached until her data changes (the key carries her data version) or her day does.
PDF_CACHE_SECONDS = ANSWER_CACHE_SECONDS


@extend_schema(tags=["insights"])
class InsightsView(APIView):
    """What her logs add up to, for her and for her doctor."""

    @extend_schema(
        operation_id="getInsights",
        summary="Her energy by phase, cycles, logging streak, prediction accuracy, alerts",
        description="`energy_by_phase`: her energy logs of the last two years counted by "
        "the phase each day is in (as `/predictions/current` places it). `cycles`: every "
        "logged period, oldest first, with its cycle's length (null for the current one) "
        "and its bleeding days. `logging_streak`: days in a row with energy logged. "
        "`prediction_accuracy`: energy (as the prediction history) and next period (mean "
        "days between the start `/predictions/current` first predicted in a cycle and the "
        "start she then logged). `alerts`: irregularities on Apple's published thresholds "
        "over the last 6 months; `code` + `since` identify one while it lasts. An alert "
        "is not a diagnosis.",
        responses=s.InsightsSerializer,
    )
    def get(self, request):
        user = request.user
        today = user.local_today()
        key = answer_cache_key("insights", user, today)
        return Response(cached_answer(key, lambda: services.insights_build(user=user, today=today)))


class PDFRenderer(renderers.BaseRenderer):
    """Lets a client that asks for ``application/pdf`` only be served the report."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


@extend_schema(tags=["insights"])
class CycleReportView(APIView):
    renderer_classes = [JSONRenderer, PDFRenderer]

    def handle_exception(self, exc):
        # Errors (401, 429...) are JSON whatever the client accepted.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    @extend_schema(
        operation_id="getCycleReport",
        summary="A PDF report of her cycles to show a doctor",
        description="One or two A4 pages: her last 12 cycles (a chart of lengths), period "
        "lengths, regularity in FIGO 2018 terms, alerts, her temperature where logged and "
        "her energy by phase. Without data, one page that says so.",
        # Not a choice for clients: the answer is the PDF (errors are JSON).
        parameters=[OpenApiParameter("format", exclude=True)],
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The report, as an attachment."
            )
        },
    )
    def get(self, request):
        user = request.user
        today = user.local_today()
        key = answer_cache_key("report-pdf", user, today)
        pdf = cache.get(key)
        if pdf is None:
            pdf = report.cycle_report_pdf(user=user, today=today)
            cache.set(key, pdf, PDF_CACHE_SECONDS)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="planher-cycle-report-{today.isoformat()}.pdf"'
        )
        return response
