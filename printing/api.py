"""REST API of printing (DESIGN.md section 7): the printed order as a PDF, its
print history, a worker's batch of orders for a day, the daily dispatch list
and the follow-up call sheet.

Views validate input, call one service and answer the PDF. Errors stay JSON
(`core.exception_handler`) even when the client asked for a PDF.
"""

import datetime

from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import Forbidden, NotFound
from core.rest import ActionPermissions
from printing import selectors, services
from printing.models import REASON_LENGTH, PrintJob, PrintLanguage
from workorders.selectors import orders_visible_to


class PDFRenderer(BaseRenderer):
    """Lets a client send `Accept: application/pdf`; the PDF itself is
    answered as bytes, never rendered from data."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


def _default_language() -> str:
    """The request's language (LocaleMiddleware chose it from the user's
    settings or browser), as one of the print languages."""
    try:
        return translation.get_supported_language_variant(translation.get_language() or "")
    except LookupError:
        return PrintLanguage.ZH_HANS


class LanguageSerializer(serializers.Serializer):
    language = serializers.ChoiceField(
        choices=PrintLanguage.choices, required=False, help_text=_("Print language; default: the request's language")
    )

    def validated_language(self) -> str:
        language = self.validated_data.get("language") or _default_language()
        return language if language in PrintLanguage.values else PrintLanguage.ZH_HANS


class ReprintSerializer(LanguageSerializer):
    # Blank is let through to the service, which words the field's message.
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=REASON_LENGTH, trim_whitespace=True,
        help_text=_("Why the paper is printed again (lost, jammed...); required"),
    )


class WorkerDaySerializer(LanguageSerializer):
    worker = serializers.IntegerField(min_value=1)
    date = serializers.DateField()

    def validate_date(self, value: datetime.date) -> datetime.date:
        # Far dates would overflow when the day is turned into aware times.
        if not 2000 <= value.year <= 2999:
            raise serializers.ValidationError(_("Give a date between the years 2000 and 2999."))
        return value


class PrintJobSerializer(serializers.ModelSerializer):
    order = serializers.CharField(source="order.number", read_only=True)
    printed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    void = serializers.BooleanField(source="is_void", read_only=True)
    voided_by = serializers.CharField(
        source="void_cause", read_only=True, allow_null=True, default=None,
        help_text=_("The transition that voided the copies, or “reprint” when a reprint replaced them"),
    )
    voided_at = serializers.DateTimeField(source="void_at", read_only=True, allow_null=True, default=None)
    replaced_by_copy = serializers.IntegerField(
        read_only=True, allow_null=True, default=None, help_text=_("The copy number of the reprint that replaced these")
    )

    class Meta:
        model = PrintJob
        fields = [
            "id", "order", "copy_number", "kind", "reprint_number", "language", "printed_by", "printed_at",
            "reason", "void", "voided_by", "voided_at", "replaced_by_copy",
        ]
        read_only_fields = fields


def _pdf_response(document: services.PrintedDocument) -> HttpResponse:
    response = HttpResponse(document.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.filename}"'
    return response


def _visible_order_id(request, pk: int) -> int:
    if not orders_visible_to(request.user).filter(pk=pk).exists():
        raise NotFound(_("No such work order."))
    return pk


_PDF = OpenApiResponse(OpenApiTypes.BINARY, description=_("The PDF"))
_ERRORS = {
    400: OpenApiResponse(description=_("Bad input, with field messages")),
    403: OpenApiResponse(description=_("The role may not print")),
    404: OpenApiResponse(description=_("Unknown or invisible order or worker")),
}


def _role_may(allowed):
    """A permission class: the service's own rule of who may print this, asked
    before the input is read (403 for a role that may not, whatever it sends;
    401 for no login)."""

    class RoleMayPrint(BasePermission):
        def has_permission(self, request, view) -> bool:
            return bool(request.user and request.user.is_authenticated and allowed(request.user))

    return RoleMayPrint


class PdfView(APIView):
    renderer_classes = [JSONRenderer, PDFRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        # A DRF Response here is an error body: always JSON, whatever was accepted.
        if isinstance(response, Response) and getattr(request, "accepted_renderer", None) is not None:
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


def _input(serializer_class, request):
    data = request.data if request.data else request.query_params
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer


class OrderPrintView(PdfView):
    # As the order endpoints: a role that reads no orders gets 403, an order
    # the user cannot see is 404, and the service checks the print role (403).
    permission_classes = [ActionPermissions]
    action_permissions = {"*": ["workorders.view_workorder"]}

    @extend_schema(
        request=LanguageSerializer,
        parameters=[OpenApiParameter("language", str, enum=PrintLanguage.values, required=False)],
        responses={
            (200, "application/pdf"): _PDF, **_ERRORS,
            409: OpenApiResponse(description=_("The order cannot be printed in its state (not assigned yet, cancelled...)")),
        },
        summary="Print the order in duplicate (first print, reprint or backfill)",
        tags=["orders"],
    )
    def post(self, request, pk: int):
        order_id = _visible_order_id(request, pk)
        if not services.may_print_orders(request.user):
            # Before the input: a role that may not print is refused whatever it sends.
            raise Forbidden(_("Your role may not do this."))
        language = _input(LanguageSerializer, request).validated_language()
        return _pdf_response(services.order_print_pdf(actor=request.user, order_id=order_id, language=language))


class OrderReprintView(PdfView):
    # As the print: 403 for a role that reads no orders or may not print,
    # 404 for an order the user cannot see.
    permission_classes = [ActionPermissions]
    action_permissions = {"*": ["workorders.view_workorder"]}

    @extend_schema(
        request=ReprintSerializer,
        responses={
            (200, "application/pdf"): _PDF, **_ERRORS,
            409: OpenApiResponse(description=_("The order has no paper to print again (not printed yet, copies owed, cancelled...)")),
        },
        summary="Print the order again with a reason (a lost or jammed copy): the earlier copies become void",
        tags=["orders"],
    )
    def post(self, request, pk: int):
        order_id = _visible_order_id(request, pk)
        if not services.may_print_orders(request.user):
            raise Forbidden(_("Your role may not do this."))
        data = _input(ReprintSerializer, request)
        return _pdf_response(services.order_reprint_pdf(
            actor=request.user, order_id=order_id, language=data.validated_language(),
            reason=data.validated_data.get("reason", ""),
        ))


class OrderPrintsView(APIView):
    permission_classes = [ActionPermissions]
    action_permissions = {"*": ["workorders.view_workorder"]}

    @extend_schema(responses={200: PrintJobSerializer(many=True), 404: _ERRORS[404]},
                   summary="The order's print history, with voided copies", tags=["orders"])
    def get(self, request, pk: int):
        order_id = _visible_order_id(request, pk)
        jobs = selectors.print_jobs_with_void(order_id)
        return Response(PrintJobSerializer(jobs, many=True).data)


class BatchPrintView(PdfView):
    permission_classes = [_role_may(services.may_print_orders)]

    @extend_schema(
        request=WorkerDaySerializer,
        responses={
            (200, "application/pdf"): _PDF, **_ERRORS,
            409: OpenApiResponse(description=_("An order changed while the batch was printed; nothing was printed")),
        },
        summary="Print every order of one worker for one day that still needs paper, each in duplicate",
        tags=["printing"],
    )
    def post(self, request):
        data = _input(WorkerDaySerializer, request)
        return _pdf_response(services.orders_print_batch(
            actor=request.user, worker_id=data.validated_data["worker"], day=data.validated_data["date"],
            language=data.validated_language(),
        ))


class DailyListView(PdfView):
    permission_classes = [_role_may(services.may_print_daily_list)]

    @extend_schema(
        parameters=[
            OpenApiParameter("worker", int, required=True),
            OpenApiParameter("date", OpenApiTypes.DATE, required=True),
            OpenApiParameter("language", str, enum=PrintLanguage.values, required=False),
        ],
        responses={(200, "application/pdf"): _PDF, **_ERRORS},
        summary="A worker's daily dispatch list (table of the day's orders)",
        tags=["printing"],
    )
    def get(self, request):
        data = _input(WorkerDaySerializer, request)
        return _pdf_response(services.daily_list_pdf(
            actor=request.user, worker_id=data.validated_data["worker"], day=data.validated_data["date"],
            language=data.validated_language(),
        ))


class FollowUpSheetView(PdfView):
    permission_classes = [_role_may(services.may_print_followup_sheet)]

    @extend_schema(
        parameters=[OpenApiParameter("language", str, enum=PrintLanguage.values, required=False)],
        responses={(200, "application/pdf"): _PDF, 400: _ERRORS[400], 403: _ERRORS[403]},
        summary="The follow-up call sheet: returned orders waiting for their call, with cells to fill by hand",
        tags=["printing"],
    )
    def get(self, request):
        data = _input(LanguageSerializer, request)
        return _pdf_response(services.followup_sheet_pdf(actor=request.user, language=data.validated_language()))
