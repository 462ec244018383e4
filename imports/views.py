from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, parsers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from . import services
from .models import Import
from .serializers import (
    ImportBusySerializer,
    ImportQueuedSerializer,
    ImportSerializer,
    ImportUploadSerializer,
    max_upload_bytes,
    too_large,
)

# Multipart headers and the `format` field, on top of the file itself.
MULTIPART_OVERHEAD = 64 * 1024


@extend_schema(tags=["imports"])
class ImportViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Bring her history in from another app: upload, then follow the import."""

    queryset = Import.objects.all()
    serializer_class = ImportSerializer
    parser_classes = [parsers.MultiPartParser]

    def get_queryset(self):
        return Import.objects.for_user(self.request.user)

    @extend_schema(
        operation_id="createImport",
        summary="Import her history from a file",
        description="Upload an export of another app (multipart: `file`, and `format` when "
        "the app cannot be told from the file). 202: the import is queued; follow it at "
        "`GET /imports/{id}`. The file is read in the background and deleted when the import "
        "ends. Too large a file, a missing file or an unknown format is a 400; a second "
        "upload while one of hers is still queued or running is a 409.",
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            202: ImportQueuedSerializer,
            400: OpenApiResponse(description="No file, too large, or an unknown format."),
            409: OpenApiResponse(
                ImportBusySerializer, description="An import of hers is still queued or running."
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        # Refused before the body is read when its length already says it.
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_upload_bytes() + MULTIPART_OVERHEAD:
            raise ValidationError({"file": [too_large()]})
        serializer = ImportUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        busy = Import.objects.for_user(request.user).filter(
            status__in=[Import.Status.QUEUED, Import.Status.RUNNING]
        )
        busy_id = busy.values_list("pk", flat=True).first()
        if busy_id is not None:
            return Response(
                {
                    "detail": "An import of yours is still queued or running: wait until it "
                    "is done.",
                    "id": busy_id,
                },
                status=status.HTTP_409_CONFLICT,
            )
        record = services.import_create(
            user=request.user,
            upload=serializer.validated_data["file"],
            requested_format=serializer.validated_data.get("format", ""),
        )
        return Response({"id": record.pk, "status": record.status}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        operation_id="getImport",
        summary="How an import went",
        description="An import of hers by its id: `status` (queued, running, done, failed), "
        "the format read, what it created and skipped (entries she already had) for periods, "
        "moods and signs, and the first 100 records left out with their reasons. 404 when "
        "none of hers has that id.",
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)
