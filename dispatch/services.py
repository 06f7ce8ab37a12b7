"""Use cases of the catalog and the front desk: registering residents and
recording the intakes that do not become an order (procedure step 2).

A served intake is recorded by `workorders.services.order_create`, which creates
the order in the same transaction.
"""

import datetime
import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import InvalidInput, NotFound
from core.roles import require_perm
from core.text import has_control_characters
from core.times import agreed_time_check, time_refused
from dispatch.models import (
    Channel,
    EmergencyContact,
    IntakeRecord,
    Resident,
    ResidentAccess,
    ResidentPhone,
    ServiceArea,
    ServiceItem,
    ServicePrice,
    UserPreference,
)
from dispatch.phones import parse_phone


def _required(value: Any, field: str) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidInput(_("This field is required."), fields={field: [_("This field is required.")]})


def _plain(value: str, field: str) -> None:
    """A name or an address is printed and read aloud: no control characters."""
    if has_control_characters(value):
        message = _("Only letters, digits, spaces and punctuation, please.")
        raise InvalidInput(message, fields={field: [message]})


def resident_create(
    *,
    actor: AbstractBaseUser,
    name: str,
    address: str,
    area: ServiceArea,
    phones: list[dict[str, Any]],
    card_number: str = "",
    card_valid_until: datetime.date | None = None,
    emergency_contacts: list[dict[str, Any]] | None = None,
    access_notes: str = "",
    health_notes: str = "",
) -> Resident:
    """Register a resident with at least one phone; the first is primary unless
    one is marked. Raises Forbidden, InvalidInput (bad phone, no phone, two primaries,
    a control character in a name or the address)."""
    require_perm(actor, "dispatch.add_resident")
    _required(name, "name")
    _required(address, "address")
    _plain(name, "name")
    _plain(address, "address")
    for contact in emergency_contacts or []:
        _plain(str(contact.get("name", "")), "emergency_contacts")
    if not phones:
        raise InvalidInput(_("At least one phone is required."), fields={"phones": [_("At least one phone is required.")]})
    numbers = [parse_phone(str(p["number"]), field="phones") for p in phones]
    if len(set(numbers)) != len(numbers):
        raise InvalidInput(_("The same phone is given twice."), fields={"phones": [_("The same phone is given twice.")]})
    primaries = [bool(p.get("is_primary")) for p in phones]
    if sum(primaries) > 1:
        raise InvalidInput(_("Only one phone can be primary."), fields={"phones": [_("Only one phone can be primary.")]})
    if not any(primaries):
        primaries[0] = True
    contacts = [
        {**c, "phone": parse_phone(str(c["phone"]), field="emergency_contacts")}
        for c in (emergency_contacts or [])
    ]
    with transaction.atomic():
        resident = Resident.objects.create(
            name=name.strip(), address=address.strip(), area=area, card_number=card_number.strip(),
            card_valid_until=card_valid_until, access_notes=access_notes, health_notes=health_notes,
        )
        ResidentPhone.objects.bulk_create(
            ResidentPhone(resident=resident, number=number, label=p.get("label", ""), is_primary=primary)
            for number, p, primary in zip(numbers, phones, primaries, strict=True)
        )
        EmergencyContact.objects.bulk_create(
            EmergencyContact(resident=resident, name=c["name"], relation=c["relation"], phone=c["phone"])
            for c in contacts
        )
    return resident


def _intake(
    *, actor: AbstractBaseUser, outcome: str, channel: str, resident: Resident | None, caller_phone: str, **fields: Any
) -> IntakeRecord:
    require_perm(actor, "dispatch.add_intakerecord")
    if channel not in Channel.values:
        raise InvalidInput(_("Unknown channel."), fields={"channel": [_("Unknown channel.")]})
    phone = parse_phone(caller_phone, field="caller_phone") if caller_phone else ""
    if resident is None and not phone:
        message = _("Give the resident or the caller's phone.")
        raise InvalidInput(message, fields={"caller_phone": [message]})
    return IntakeRecord.objects.create(
        outcome=outcome, channel=channel, resident=resident, caller_phone=phone, created_by=actor, **fields
    )


def intake_refer(
    *,
    actor: AbstractBaseUser,
    channel: str,
    referred_to: str,
    resident: Resident | None = None,
    caller_phone: str = "",
    service: ServiceItem | None = None,
    notes: str = "",
) -> IntakeRecord:
    """Record a request we cannot serve and where the caller was referred.
    Raises Forbidden, InvalidInput."""
    _required(referred_to, "referred_to")
    return _intake(
        actor=actor, outcome=IntakeRecord.Outcome.CANNOT_SERVE, channel=channel, resident=resident,
        caller_phone=caller_phone, service=service, referred_to=referred_to.strip(), notes=notes,
    )


def intake_no_card(
    *,
    actor: AbstractBaseUser,
    channel: str,
    action: str,
    resident: Resident | None = None,
    caller_phone: str = "",
    service: ServiceItem | None = None,
    home_visit_at: datetime.datetime | None = None,
    notes: str = "",
) -> IntakeRecord:
    """Record an eligible caller without a service card: invited to apply, or a
    home visit booked to register them (the visit's time must be in the
    future, within AGREED_HORIZON). Raises Forbidden, InvalidInput."""
    if action not in (IntakeRecord.NoCardAction.INVITED, IntakeRecord.NoCardAction.HOME_VISIT):
        raise InvalidInput(_("Choose an invitation or a home visit."), fields={"no_card_action": [_("Choose an invitation or a home visit.")]})
    if action == IntakeRecord.NoCardAction.HOME_VISIT:
        _required(home_visit_at, "home_visit_at")
        now = timezone.now()
        if home_visit_at <= now:
            raise time_refused("home_visit_at", _("The home visit must be in the future."))
        agreed_time_check(field="home_visit_at", value=home_visit_at, now=now)
    else:
        home_visit_at = None
    return _intake(
        actor=actor, outcome=IntakeRecord.Outcome.NO_CARD, channel=channel, resident=resident,
        caller_phone=caller_phone, service=service, no_card_action=action, home_visit_at=home_visit_at, notes=notes,
    )


def intake_out_of_area(
    *,
    actor: AbstractBaseUser,
    channel: str,
    area: ServiceArea,
    caller_phone: str = "",
    resident: Resident | None = None,
    notes: str = "",
) -> IntakeRecord:
    """Record a caller from outside our areas, referred to their community
    office (whose phone the reply gives). Raises Forbidden, InvalidInput."""
    if area.served:
        message = _("%(area)s is one of our own areas.") % {"area": area.name}
        raise InvalidInput(message, fields={"area": [message]})
    return _intake(
        actor=actor, outcome=IntakeRecord.Outcome.OUT_OF_AREA, channel=channel, resident=resident,
        caller_phone=caller_phone, area=area, referred_to=str(area.office_phone), notes=notes,
    )


def intake_take(
    *,
    actor: AbstractBaseUser,
    outcome: str,
    channel: str,
    resident: Resident | None = None,
    caller_phone: str = "",
    service: ServiceItem | None = None,
    referred_to: str = "",
    area: ServiceArea | None = None,
    no_card_action: str = "",
    home_visit_at: datetime.datetime | None = None,
    notes: str = "",
) -> IntakeRecord:
    """Record an intake that does not become an order, by its outcome: the
    one place that chooses the outcome's service (the API and the intake
    screen both call this; a served request is workorders' order_create).
    Raises Forbidden, InvalidInput (an unknown outcome, and what the
    outcome's service raises)."""
    common = {"actor": actor, "channel": channel, "resident": resident, "caller_phone": caller_phone, "notes": notes}
    if outcome == IntakeRecord.Outcome.CANNOT_SERVE:
        return intake_refer(**common, referred_to=referred_to, service=service)
    if outcome == IntakeRecord.Outcome.NO_CARD:
        return intake_no_card(**common, action=no_card_action, service=service, home_visit_at=home_visit_at)
    if outcome == IntakeRecord.Outcome.OUT_OF_AREA:
        if area is None:
            message = _("Pick the caller's area.")
            raise InvalidInput(message, fields={"area": [message]})
        return intake_out_of_area(**common, area=area)
    message = _("Choose what became of the request.")
    raise InvalidInput(message, fields={"outcome": [message]})


def intake_subscribed(
    *,
    actor: AbstractBaseUser,
    channel: str,
    resident: Resident,
    service: ServiceItem,
    caller_phone: str = "",
    notes: str = "",
) -> IntakeRecord:
    """Record a served request that starts a recurring service (its
    subscription is subscriptions' to create, in the caller's transaction):
    served, with no order of its own, as the scheduler makes one per visit.
    Raises Forbidden, InvalidInput."""
    return _intake(
        actor=actor, outcome=IntakeRecord.Outcome.SERVED, channel=channel, resident=resident,
        caller_phone=caller_phone, service=service, notes=notes,
    )


def service_price_text(service: ServiceItem, amount: Decimal | None = None) -> str:
    """A service's price as the desk says it ("30.00 / 次"), or that it is
    free; the paper prints the same. `amount`: the price to say (an order's
    own); by default the price list's for today (the `price` field may
    still wait for the scheduler's pass after a change took effect)."""
    if not service.chargeable:
        return _("No charge")
    if amount is None:
        amount = service.price_on(timezone.localdate())
    return f"{amount:.2f}" + (f" / {service.unit}" if service.unit else "")


def _served_reply(record: IntakeRecord) -> str:
    # Read to the caller: the number, the agreed time, what it costs, and
    # that an external or special service waits for the lead's approval.
    order = getattr(record, "order", None)
    if order is None:
        # A recurring service started: its visits' orders come one by one.
        return _("%(service)s is booked as a recurring service; we will call you if anything changes.") % {
            "service": record.service.name if record.service_id else ""
        }
    said = [_("Your request is registered as %(number)s. The dispatch group will send someone; we will call you if anything changes.") % {
        "number": order.number
    }]
    if order.requested_for is not None:
        said.append(_("We agreed on %(when)s.") % {
            "when": timezone.localtime(order.requested_for).strftime("%Y-%m-%d %H:%M")
        })
    service = order.service
    if service.chargeable:
        said.append(_("The price is %(price)s, paid after the service.") % {
            "price": service_price_text(service, order.expected_fee)
        })
    else:
        said.append(_("The service is free of charge."))
    if service.needs_approval:
        said.append(_("This service needs the dispatch lead's approval before anyone is sent; we will call you about it."))
    # Chinese runs its sentences on; the other languages put a space between.
    return ("" if translation.get_language().startswith("zh") else " ").join(said)


def intake_reply(record: IntakeRecord) -> str:
    """The standard reply the operator reads to the caller, in the active language."""
    outcome = IntakeRecord.Outcome
    if record.outcome == outcome.SERVED:
        return _served_reply(record)
    if record.outcome == outcome.CANNOT_SERVE:
        return _("We are sorry, we cannot provide this service. Please contact %(referral)s, who can help you.") % {
            "referral": record.referred_to
        }
    if record.outcome == outcome.NO_CARD:
        if record.no_card_action == IntakeRecord.NoCardAction.HOME_VISIT:
            return _("You are eligible for our services. We will visit you on %(when)s to register you for a service card.") % {
                "when": timezone.localtime(record.home_visit_at).strftime("%Y-%m-%d %H:%M")
            }
        return _("You are eligible for our services. Please apply for a community elderly-care service card; we can help you with the application.")
    return _("Your address belongs to %(area)s. Their community office can help you on %(phone)s; shall I connect you?") % {
        "area": record.area.name, "phone": record.area.office_phone.as_national if record.area.office_phone else ""
    }


def user_language_set(*, actor: AbstractBaseUser, language: str) -> UserPreference:
    """Remember the interface language this login chose, for every desk it
    logs in at. Raises InvalidInput for a language we do not ship."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        message = _("Choose one of the offered languages.")
        raise InvalidInput(message, fields={"language": [message]})
    preference, _created = UserPreference.objects.update_or_create(user=actor, defaults={"language": language})
    return preference


def resident_accesses_record(*, actor: AbstractBaseUser, residents: list[Resident], action: str) -> None:
    """Append to the access log that `actor` read these residents' records:
    one row per resident per read (a list or a paper may show one twice)."""
    distinct = {resident.pk: resident for resident in residents if resident is not None}
    ResidentAccess.objects.bulk_create(
        ResidentAccess(resident=resident, user=actor, action=action) for resident in distinct.values()
    )


def resident_export(*, actor: AbstractBaseUser, resident_id: int) -> dict[str, Any]:
    """Everything stored about one resident, as plain JSON data (a subject
    access request). Recorded in the access log. Raises Forbidden, NotFound."""
    require_perm(actor, "dispatch.export_resident")
    resident = Resident.objects.filter(pk=resident_id).select_related("area").first()
    if resident is None:
        raise NotFound(_("No such resident."))
    resident_accesses_record(actor=actor, residents=[resident], action=ResidentAccess.Action.EXPORT)
    # Orders are read by their reverse relation: dispatch does not import workorders.
    orders = [
        {
            "number": order.number, "service": order.service.code, "state": order.state,
            "created_at": order.created_at.isoformat(), "notes": order.notes,
            "history": [
                {"at": h.at.isoformat(), "transition": h.transition, "from": h.from_state, "to": h.to_state, "note": h.note}
                for h in order.history.all()
            ],
        }
        for order in resident.orders.select_related("service").prefetch_related("history")
    ]
    return {
        "resident": {
            "id": resident.pk, "name": resident.name, "address": resident.address, "area": resident.area.name,
            "card_number": resident.card_number,
            "card_valid_until": resident.card_valid_until.isoformat() if resident.card_valid_until else None,
            "access_notes": resident.access_notes, "health_notes": resident.health_notes,
            "active": resident.active, "created_at": resident.created_at.isoformat(),
        },
        "phones": [{"number": str(p.number), "label": p.label, "is_primary": p.is_primary} for p in resident.phones.all()],
        "emergency_contacts": [
            {"name": c.name, "relation": c.relation, "phone": str(c.phone)} for c in resident.emergency_contacts.all()
        ],
        "intakes": [
            {"at": i.created_at.isoformat(), "outcome": i.outcome, "channel": i.channel, "notes": i.notes}
            for i in resident.intakes.all()
        ],
        "orders": orders,
        "accesses": [
            {"at": a.at.isoformat(), "user": a.user.get_username(), "action": a.action} for a in resident.accesses.all()
        ],
    }


def resident_anonymise(*, actor: AbstractBaseUser, resident_id: int) -> Resident:
    """A resident who leaves: remove every personal detail but keep the orders,
    intakes and their history, so the statistics do not change: what was
    written on the orders, their history, incidents, follow-up calls,
    complaints and home visits is emptied, and the board's event log loses the
    name. Irreversible. Raises Forbidden, NotFound."""
    require_perm(actor, "dispatch.anonymise_resident")
    with transaction.atomic():
        resident = Resident.objects.select_for_update().filter(pk=resident_id).first()
        if resident is None:
            raise NotFound(_("No such resident."))
        label = _("Anonymised resident %(id)s") % {"id": resident.pk}
        old_name = resident.name
        resident.name, resident.address, resident.card_number = label, "", ""
        resident.card_valid_until, resident.access_notes, resident.health_notes = None, "", ""
        resident.active = False
        resident.save()
        resident.phones.all().delete()
        resident.emergency_contacts.all().delete()
        resident.intakes.update(caller_phone="", notes="")
        _clear_written_about(resident)
        _scrub_from_board_log(old_name, str(label))
        resident_accesses_record(actor=actor, residents=[resident], action=ResidentAccess.Action.ANONYMISE)
    return resident


# What the apps above dispatch write about a resident in words, reached from
# Resident by the names of the relations (dispatch imports none of them, as
# it reads the orders by `resident.orders`): the relations' path, the lookup
# back to the resident, and the text fields to empty. Free text may hold
# anything the resident said (a diagnosis, a neighbour's name), so all of it
# goes; states, times and fees stay for the statistics.
_WRITTEN_ABOUT: list[tuple[tuple[str, ...], str, tuple[str, ...]]] = [
    (("orders",), "resident", ("notes", "remarks", "materials", "closing_reason", "card_override_reason")),
    # A return's remarks and a cancellation's reason are copied into the history.
    (("orders", "history"), "order__resident", ("note",)),
    (("orders", "incidents"), "order__resident", ("note",)),
    (("orders", "followup_calls"), "order__resident", ("comments", "needs_more_what")),
    (("orders", "escalations"), "order__resident", ("outcome",)),
    (("orders", "escalations", "actions"), "escalation__order__resident", ("note",)),
    (("periodic_visits",), "resident", ("reason", "findings")),
]


def _clear_written_about(resident: Resident) -> None:
    for path, lookup, fields in _WRITTEN_ABOUT:
        model: Any = Resident
        for name in path:
            model = model._meta.get_field(name).related_model
        # A queryset update, not save(): the order's history, incidents and a
        # complaint's actions are append-only records (their save() refuses a
        # change), and anonymising a leaving resident is the one change they
        # allow: the record of what happened stays, the personal words go.
        model._default_manager.filter(**{lookup: resident}).update(**dict.fromkeys(fields, ""))


def _scrub_from_board_log(old_name: str, new_name: str) -> None:
    """Replace a name in the stored board events and alerts: the one exception
    to their being append-only, because a leaving resident's name must go."""
    from django.db.models import TextField
    from django.db.models.functions import Cast

    from realtime.models import Alert, Event

    # JSON may hold the name as typed or \u-escaped, depending on the database.
    forms = {old_name, json.dumps(old_name)[1:-1]}

    def replaced(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: replaced(v) for k, v in value.items()}
        if isinstance(value, list):
            return [replaced(v) for v in value]
        return new_name if value == old_name else value

    for model in (Event, Alert):
        text = model.objects.annotate(text=Cast("data", TextField()))
        matches = text.none()
        for form in forms:
            matches = matches | text.filter(text__contains=form)
        for row in matches.distinct():
            row.data = replaced(row.data)
            row.save(update_fields=["data"])


# --- The price list ----------------------------------------------------------------


def prices_apply(*, now: datetime.datetime) -> dict[str, int]:
    """The scheduler's step: each service's `price` becomes the one its price
    list sets for today (a change decided ahead takes effect on its day), from
    one read of the lists. Safe in two schedulers at once (the same update).
    Returns the count."""
    listed = prices_on(timezone.localtime(now).date())
    changed = 0
    for service_id, price in ServiceItem.objects.values_list("id", "price"):
        if service_id in listed and listed[service_id] != price:
            changed += ServiceItem.objects.filter(pk=service_id).update(price=listed[service_id])
    return {"prices_changed": changed}


def service_price_started(*, service: ServiceItem) -> None:
    """A new service's price list starts with its price, from today."""
    ServicePrice.objects.get_or_create(
        service=service, effective_from=timezone.localdate(), defaults={"price": service.price}
    )


def prices_on(day: datetime.date) -> dict[int, Decimal]:
    """Each service's price by its price list on `day`, in one query (for a
    list of services; a service without a list keeps its `price`)."""
    found: dict[int, Decimal] = {}
    rows = ServicePrice.objects.filter(effective_from__lte=day).order_by("service_id", "-effective_from")
    for service_id, price in rows.values_list("service_id", "price"):
        found.setdefault(service_id, price)
    return found


def prices_today() -> dict[int, Decimal]:
    return prices_on(timezone.localdate())
