"""The front desk's intake screen (procedure step 2).

One page; its script asks `intake_lookup` for the caller's card as the number is
typed, and posts each outcome to its own small view. A view that changes data
parses the input with a form, calls one service and answers JSON: the reply to
read to the caller, or the field messages of what was wrong (400), so the page
keeps everything the operator typed.
"""

import datetime
import json
from typing import Any

from django import forms
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError, InvalidInput
from core.roles import roles_required
from dispatch import selectors, services
from dispatch.models import Channel, IntakeRecord, Resident, ResidentAccess, ServiceArea, ServiceItem
from dispatch.phones import parse_phone
from dispatch.roles import INTAKE_ROLES
from followup import services as followup_services
from front.api import WORKER_OPEN_STATES
from subscriptions import services as subscription_services
from workorders import actions
from workorders import services as order_services
from workorders.models import OPEN_STATES, Urgency, WorkOrder
from workorders.selectors import orders_visible_to

RECENT_ORDERS = 5
# The open orders listed on a caller's card; the count above them is the true one.
OPEN_ORDERS_SHOWN = 10
# "Serve now": how many of the skilled workers to offer (all of a
# department's, in practice), ranked as the assign dialog ranks them.
SERVE_NOW_WORKERS = 50


intake_role_required = roles_required(*INTAKE_ROLES)


def _error_response(message: str, fields: dict[str, list[Any]], status: int = 400) -> JsonResponse:
    return JsonResponse(
        {"detail": str(message), "fields": {name: [str(m) for m in msgs] for name, msgs in fields.items()}},
        status=status,
    )


def _domain_error(exc: DomainError) -> JsonResponse:
    return _error_response(exc.message, exc.fields, exc.status_code)


def _form_error(form: forms.Form) -> JsonResponse:
    return _error_response(_("Some values are not valid; see the fields."), form.errors)


# --- input forms: parsing only; the rules are the services' ------------------------


class _CallForm(forms.Form):
    """What every outcome carries: who called, how, about whom."""

    channel = forms.ChoiceField(choices=[(Channel.PHONE, Channel.PHONE.label), (Channel.VISIT, Channel.VISIT.label)])
    resident = forms.ModelChoiceField(queryset=Resident.objects.select_related("area"), required=False)
    caller_phone = forms.CharField(max_length=40, required=False)
    notes = forms.CharField(required=False, max_length=2000)


class RegisterForm(forms.Form):
    phone = forms.CharField(max_length=40)
    name = forms.CharField(max_length=100)
    address = forms.CharField(max_length=255)
    area = forms.ModelChoiceField(queryset=ServiceArea.objects.filter(served=True))
    card_number = forms.CharField(max_length=40, required=False)
    card_valid_until = forms.DateField(required=False)
    phone2 = forms.CharField(max_length=40, required=False)
    contact_name = forms.CharField(max_length=100, required=False)
    contact_relation = forms.CharField(max_length=40, required=False)
    contact_phone = forms.CharField(max_length=40, required=False)
    access_notes = forms.CharField(max_length=2000, required=False)

    def clean(self) -> dict[str, Any]:
        # Each phone is read on its own, so a mistake is shown by its own field.
        data = super().clean()
        for field in ("phone", "phone2", "contact_phone"):
            if data.get(field):
                try:
                    data[field] = parse_phone(data[field], field=field)
                except InvalidInput as exc:
                    self.add_error(field, exc.message)
        missing = {"contact_name": _("Give the contact's name."), "contact_relation": _("Give the relation."),
                   "contact_phone": _("Give the contact's phone.")}
        if any(data.get(field) for field in missing):
            # A contact is all three or none.
            for field, message in missing.items():
                if not data.get(field) and field not in self.errors:
                    self.add_error(field, message)
        if data.get("phone2") and data.get("phone2") == data.get("phone"):
            self.add_error("phone2", _("This is the number the caller is registered on already."))
        return data


class ServedForm(_CallForm):
    WHEN = [("asap", gettext_lazy("As soon as possible")), ("today", gettext_lazy("Today at")),
            ("appointment", gettext_lazy("Appointment"))]

    service = forms.ModelChoiceField(
        queryset=ServiceItem.objects.all(),
        error_messages={"required": gettext_lazy("Pick a service from the list.")},
    )
    when = forms.ChoiceField(choices=WHEN, initial="asap")
    time_today = forms.TimeField(required=False)
    appointment = forms.DateTimeField(required=False)
    urgency = forms.ChoiceField(choices=Urgency.choices, initial=Urgency.NORMAL)
    card_override_reason = forms.CharField(max_length=255, required=False)
    # The desk saw the resident's open order for the same service and takes a new one.
    duplicate_ok = forms.BooleanField(required=False)
    # A recurring service started as a subscription with its schedule.
    REPEAT = [("daily", gettext_lazy("Every day")), ("weekly", gettext_lazy("Every week")),
              ("monthly", gettext_lazy("Every month"))]
    DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    recurring = forms.BooleanField(required=False)
    repeat = forms.ChoiceField(choices=REPEAT, required=False)
    weekdays = forms.MultipleChoiceField(choices=[(d, WEEKDAYS[i]) for i, d in enumerate(DAYS)], required=False)
    starts_at = forms.DateTimeField(required=False)
    ends_on = forms.DateField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("resident") is None and "resident" not in self.errors:
            self.add_error("resident", _("Find or register the resident first."))
        if data.get("recurring"):
            self._clean_schedule(data)
            return data
        when = data.get("when")
        if when == "today":
            if data.get("time_today") is None:
                self.add_error("time_today", _("Give the time."))
            else:
                data["requested_for"] = timezone.make_aware(
                    datetime.datetime.combine(timezone.localdate(), data["time_today"])
                )
        elif when == "appointment":
            if data.get("appointment") is None:
                self.add_error("appointment", _("Give the date and time."))
            else:
                data["requested_for"] = data["appointment"]
        else:
            data["requested_for"] = None
        return data

    def _clean_schedule(self, data: dict[str, Any]) -> None:
        """The schedule's choices as an iCalendar rule (subscriptions' own
        service checks it, and the times)."""
        service = data.get("service")
        if service is not None and service.category != ServiceItem.Category.SUBSCRIPTION:
            self.add_error("service", _("%(service)s is not a recurring service: take it as one order.") % {
                "service": service.name})
        if data.get("starts_at") is None and "starts_at" not in self.errors:
            self.add_error("starts_at", _("Give the date and time of the first visit."))
        elif data.get("starts_at") is not None and data["starts_at"] <= timezone.now():
            # Taken on the phone: what was agreed is ahead (the service checks how far).
            self.add_error("starts_at", _("The first visit must be in the future."))
        repeat = data.get("repeat")
        if not repeat:
            self.add_error("repeat", _("Choose how often."))
        elif repeat == "weekly":
            if not data.get("weekdays"):
                self.add_error("weekdays", _("Choose at least one day of the week."))
            else:
                days = [d for d in self.DAYS if d in data["weekdays"]]
                data["rule"] = "FREQ=WEEKLY;BYDAY=" + ",".join(days)
        else:
            data["rule"] = "FREQ=" + repeat.upper()
        ends_on = data.get("ends_on")
        data["ends_at"] = (
            timezone.make_aware(datetime.datetime.combine(ends_on, datetime.time(23, 59))) if ends_on else None
        )


class OutcomeForm(_CallForm):
    """The fields of the outcomes that are not an order; which of them an
    outcome needs is followup.services.intake_take's rule."""

    service = forms.ModelChoiceField(queryset=ServiceItem.objects.all(), required=False)
    referred_to = forms.CharField(max_length=255, required=False)
    no_card_action = forms.CharField(max_length=20, required=False)
    home_visit_at = forms.DateTimeField(required=False)
    area = forms.ModelChoiceField(queryset=ServiceArea.objects.all(), required=False)


# --- the page ------------------------------------------------------------------------


def _services_for_picker() -> list[dict[str, Any]]:
    # The price as the caller hears it (the catalog's: a fee is settled at
    # the return), and why the service waits for the lead's approval.
    today = services.prices_today()
    return [
        {"id": s.pk, "code": s.code, "name": s.name, "name_en": s.name_en, "needs_card": s.needs_card,
         "needs_approval": s.needs_approval, "approval": s.get_approval_display() if s.needs_approval else "",
         "price": services.service_price_text(s, today.get(s.pk, s.price)),
         "recurring": s.category == ServiceItem.Category.SUBSCRIPTION}
        for s in ServiceItem.objects.filter(active=True).order_by("code")
    ]


@require_GET
@intake_role_required
def intake(request: HttpRequest) -> HttpResponse:
    config = {
        "lookup_url": reverse("intake-lookup"),
        "register_url": reverse("intake-register"),
        "services": _services_for_picker(),
        "strings": {
            "failed": _("That did not work: %(detail)s"),
            "no_service": _("No service matches “%(text)s”."),
            "order_number": _("Order number"),
            "checking": _("Looking up…"),
            "needs_approval": _("Needs approval (%(reason)s): the dispatch lead approves it before anyone is sent."),
            "worker_option": _("%(name)s · open orders: %(open)s"),
            "served_before": _("served this resident before"),
            "no_skilled_worker": _("No active worker has the skill this service needs: the dispatch group finds someone."),
            "serve_now_started": _("%(worker)s is serving it now; print the copies afterwards."),
            "open_order": _("Open the order"),
            "visit_booked": _("The home visit is on the dispatch lead's list; the dispatch group is alerted."),
            "open_visit": _("Open the home-visit list"),
            "duplicate": _("%(number)s for this service is still open for this resident."),
        },
        "orders_url": reverse("order-list"),
    }
    context = {
        "intake_config": config,
        **_prefilled(request),
        "served_areas": ServiceArea.objects.filter(served=True),
        "other_areas": ServiceArea.objects.filter(served=False),
        "urgencies": Urgency.choices,
        "repeat_choices": ServedForm.REPEAT,
        "weekday_choices": ServedForm.base_fields["weekdays"].choices,
        "may_override_card": request.user.has_perm("dispatch.override_card_check"),
        "today": timezone.localdate(),
    }
    return render(request, "front/intake.html", context)


def _prefilled(request: HttpRequest) -> dict[str, Any]:
    """`?resident=<id>`: a new request for a resident already known (a
    follow-up call found they need something else). Their card is shown as
    if looked up by their primary phone, and the read is recorded as one;
    `&notes=` (what they said they need) starts the request's notes, cut to
    what the form takes."""
    raw = request.GET.get("resident", "").strip()
    if not raw:
        return {}
    resident = None
    if raw.isdigit() and len(raw) <= 18:
        resident = (
            Resident.objects.filter(pk=int(raw), active=True).select_related("area")
            .prefetch_related("phones", "emergency_contacts").first()
        )
    if resident is None:
        return {"prefill_error": _("No active resident has the number %(id)s; look the caller up by phone.") % {"id": raw}}
    services.resident_accesses_record(actor=request.user, residents=[resident], action=ResidentAccess.Action.VIEW)
    primary = resident.primary_phone
    return {
        "prefill_cards": _cards(request.user, [resident]),
        "prefill_phone": primary.number.as_national if primary else "",
        "prefill_notes": request.GET.get("notes", "").strip()[: ServedForm.base_fields["notes"].max_length],
    }


def _cards(user, residents: list[Resident]) -> list[dict[str, Any]]:
    """Each resident with what the desk checks on the phone: card, contacts,
    open orders and the last few."""
    orders = orders_visible_to(user).filter(resident__in=residents).order_by("-created_at", "-id")
    cards = []
    for resident in residents:
        mine = orders.filter(resident=resident)
        open_orders = mine.filter(state__in=OPEN_STATES)
        # The newest open order of each service, for the warning when the
        # desk picks a service the resident has an order for already.
        by_service: dict[str, dict[str, str]] = {}
        for pk, number, service_id in open_orders.values_list("pk", "number", "service_id"):
            by_service.setdefault(str(service_id), {"number": number, "url": reverse("order-page", args=[pk])})
        cards.append({
            "resident": resident,
            "card_valid": resident.has_valid_card(),
            "open_orders": list(open_orders.select_related("service")[:OPEN_ORDERS_SHOWN]),
            "open_count": open_orders.count(),
            "open_by_service": json.dumps(by_service),
            "recent_orders": list(mine.select_related("service")[:RECENT_ORDERS]),
        })
    return cards


def _render_cards(request: HttpRequest, residents: list[Resident], *, status: int = 200) -> HttpResponse:
    services.resident_accesses_record(actor=request.user, residents=residents, action=ResidentAccess.Action.SEARCH)
    context = {"state": "found", "cards": _cards(request.user, residents)}
    return render(request, "front/_intake_lookup.html", context, status=status)


@require_GET
@intake_role_required
def intake_lookup(request: HttpRequest) -> HttpResponse:
    """The card(s) of the residents on this phone, as an HTML fragment whose
    `data-state` says found / unknown (offer to register) / invalid."""
    raw = request.GET.get("phone", "").strip()
    try:
        residents = list(
            selectors.residents_by_phone(raw).select_related("area").prefetch_related("phones", "emergency_contacts")
        )
    except InvalidInput as exc:
        return render(request, "front/_intake_lookup.html", {"state": "invalid", "message": exc.message})
    if not residents:
        return render(request, "front/_intake_lookup.html", {"state": "unknown", "phone": raw})
    return _render_cards(request, residents)


@require_POST
@intake_role_required
def intake_register(request: HttpRequest) -> HttpResponse:
    """Register an unknown caller; answers with their card, like a lookup."""
    form = RegisterForm(request.POST)
    if not form.is_valid():
        return _form_error(form)
    data = form.cleaned_data
    phones = [{"number": data["phone"], "is_primary": True}]
    if data["phone2"]:
        phones.append({"number": data["phone2"]})
    contacts = [
        {"name": data["contact_name"], "relation": data["contact_relation"], "phone": data["contact_phone"]}
    ] if data["contact_name"] else []
    try:
        resident = services.resident_create(
            actor=request.user, name=data["name"], address=data["address"], area=data["area"],
            phones=phones, card_number=data["card_number"], card_valid_until=data["card_valid_until"],
            emergency_contacts=contacts, access_notes=data["access_notes"].strip(),
        )
    except DomainError as exc:
        # Each phone was read by the form: what is left of "phones" is about the second.
        if "phones" in exc.fields:
            exc.fields["phone2" if data["phone2"] else "phone"] = exc.fields.pop("phones")
        if "emergency_contacts" in exc.fields:
            exc.fields["contact_name"] = exc.fields.pop("emergency_contacts")
        return _domain_error(exc)
    resident = Resident.objects.select_related("area").prefetch_related("phones", "emergency_contacts").get(
        pk=resident.pk
    )
    return _render_cards(request, [resident], status=201)


def _reply(record: IntakeRecord, **extra: Any) -> JsonResponse:
    return JsonResponse(
        {"outcome": record.outcome, "outcome_display": record.get_outcome_display(),
         "reply": services.intake_reply(record), **extra},
        status=201,
    )


@require_POST
@intake_role_required
def intake_served(request: HttpRequest) -> HttpResponse:
    """Outcome 1: create the order; the reply gives its number."""
    form = ServedForm(request.POST)
    if not form.is_valid():
        return _form_error(form)
    data = form.cleaned_data
    if data["recurring"]:
        return _subscribe(request, data)
    duplicate = _open_duplicate(request.user, data["resident"], data["service"])
    if duplicate is not None and not data["duplicate_ok"]:
        message = _("%(number)s for this service is still open for this resident.") % {"number": duplicate.number}
        return JsonResponse({
            "detail": message, "fields": {"service": [message]},
            "duplicate": {"number": duplicate.number, "url": reverse("order-page", args=[duplicate.pk])},
        }, status=409)
    try:
        order: WorkOrder = order_services.order_create(
            actor=request.user, resident=data["resident"], service=data["service"], channel=data["channel"],
            urgency=data["urgency"], requested_for=data["requested_for"], notes=data["notes"],
            card_override_reason=data["card_override_reason"],
        )
    except DomainError as exc:
        if not exc.fields:
            # A rule about the pair (the resident's area): say it next to the resident.
            exc.fields = {"resident": [exc.message]}
        if "card_override_reason" in exc.fields and not request.user.has_perm("dispatch.override_card_check"):
            # The desk cannot override: the choice to change is the service.
            exc.fields["service"] = exc.fields.pop("card_override_reason")
        return _domain_error(exc)
    return _reply(order.intake, number=order.number, order_id=order.pk,
                  order_url=reverse("order-page", args=[order.pk]), serve_now=_serve_now(request.user, order))


def _serve_now(user, order: WorkOrder) -> dict[str, Any] | None:
    """For an urgent request the user may start at once (DESIGN.md section
    3: `emergency_start`, the front desk's too): who could go, as the assign
    dialog suggests them (the skill the service needs, fewest open orders
    first); the page posts the choice to the order API. None otherwise."""
    if order.urgency != Urgency.URGENT or actions.EMERGENCY_START.name not in actions.available(order, user):
        return None
    found = selectors.assignment_suggestions(
        service=order.service, resident=order.resident, open_states=WORKER_OPEN_STATES, limit=SERVE_NOW_WORKERS
    )
    return {"workers": found["workers"]}


@require_POST
@intake_role_required
def intake_outcome(request: HttpRequest, outcome: str) -> HttpResponse:
    """Outcomes 2 to 4: a service we do not give (the reply names the
    referral), eligible without a card (invited to apply, or a home visit
    booked: scheduled on the lead's visit list), or the caller lives
    elsewhere (the reply gives their office's phone)."""
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        return _form_error(form)
    try:
        record = followup_services.intake_take(actor=request.user, outcome=outcome, **form.cleaned_data)
    except DomainError as exc:
        return _domain_error(exc)
    visit = getattr(record, "home_visit", None)
    # The lead's list, for a role that reads it (the desk books, the lead plans).
    may_read = visit is not None and request.user.has_perm("followup.view_periodicvisit")
    return _reply(record, visit_id=visit.pk if visit else None,
                  visit_url=f"{reverse('visit-list')}#visit-{visit.pk}" if may_read else None)


def _open_duplicate(user, resident: Resident, service: ServiceItem) -> WorkOrder | None:
    """The resident's newest open order for the same service, if any: the
    desk is warned and takes a second one only when it says so."""
    return (
        orders_visible_to(user).filter(resident=resident, service=service, state__in=OPEN_STATES)
        .order_by("-created_at", "-id").first()
    )


def _schedule_text(data: dict[str, Any]) -> str:
    at = timezone.localtime(data["starts_at"])
    time = at.strftime("%H:%M")
    if data["repeat"] == "daily":
        return _("every day at %(time)s") % {"time": time}
    if data["repeat"] == "weekly":
        days = [str(WEEKDAYS[ServedForm.DAYS.index(d)]) for d in ServedForm.DAYS if d in data["weekdays"]]
        return _("every week on %(days)s at %(time)s") % {"days": ", ".join(days), "time": time}
    return _("every month on day %(day)s at %(time)s") % {"day": at.day, "time": time}


def _subscribe(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    """A recurring service (monthly meals): a subscription with its schedule,
    whose orders the scheduler creates ahead of each visit, not one order."""
    resident, service = data["resident"], data["service"]
    if service.needs_card and not resident.has_valid_card():
        message = _("%(service)s needs a valid service card, and this resident has none.") % {"service": service.name}
        return _error_response(message, {"service": [message]})
    try:
        with transaction.atomic():
            # The call is recorded as served, like any request taken; the
            # subscription stands in for the order.
            services.intake_subscribed(
                actor=request.user, channel=data["channel"], resident=resident, service=service,
                caller_phone=data["caller_phone"], notes=data["notes"],
            )
            subscription = subscription_services.subscription_create(
                actor=request.user, resident=resident, service=service, rule=data["rule"],
                starts_at=data["starts_at"], ends_at=data["ends_at"], notes=data["notes"],
            )
    except DomainError as exc:
        for theirs, ours in (("rule", "repeat"), ("ends_at", "ends_on")):
            if theirs in exc.fields:
                exc.fields[ours] = exc.fields.pop(theirs)
        return _domain_error(exc)
    first = subscription_services.occurrences_between(
        subscription, subscription.starts_at - datetime.timedelta(seconds=1),
        subscription.starts_at + datetime.timedelta(days=400),
    )
    said = [_("%(service)s is booked %(schedule)s.") % {"service": service.name, "schedule": _schedule_text(data)}]
    if first:
        said.append(_("The first visit is on %(when)s.") % {"when": timezone.localtime(first[0]).strftime("%Y-%m-%d %H:%M")})
    if subscription.ends_at:
        said.append(_("The last one is on or before %(date)s.") % {"date": data["ends_on"].isoformat()})
    if service.chargeable:
        said.append(_("The price is %(price)s, paid after the service.") % {"price": services.service_price_text(service)})
    else:
        said.append(_("The service is free of charge."))
    said.append(_("Call us to pause or stop it."))
    joiner = "" if translation.get_language().startswith("zh") else " "
    return JsonResponse({
        "outcome": "subscription", "outcome_display": _("Subscription started"), "reply": joiner.join(said),
        "subscription_id": subscription.pk,
    }, status=201)
