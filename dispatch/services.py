"""Use cases of the catalog and the front desk: registering residents and
recording the intakes that do not become an order (procedure step 2).

A served intake is recorded by `workorders.services.order_create`, which creates
the order in the same transaction.
"""

import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch.errors import Forbidden, InvalidInput
from dispatch.models import (
    Channel,
    EmergencyContact,
    IntakeRecord,
    Resident,
    ResidentPhone,
    ServiceArea,
    ServiceItem,
)
from dispatch.phones import parse_phone


def require_perm(user: AbstractBaseUser, perm: str) -> None:
    """Raise Forbidden unless the user holds `perm` (through a role)."""
    if not user.has_perm(perm):
        raise Forbidden(_("Your role may not do this."))


def _required(value: Any, field: str) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidInput(_("This field is required."), fields={field: [_("This field is required.")]})


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
    one is marked. Raises Forbidden, InvalidInput (bad phone, no phone, two primaries)."""
    require_perm(actor, "dispatch.add_resident")
    _required(name, "name")
    _required(address, "address")
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
    try:
        return IntakeRecord.objects.create(
            outcome=outcome, channel=channel, resident=resident, caller_phone=phone, created_by=actor, **fields
        )
    except IntegrityError as exc:  # pragma: no cover - guarded by validation above
        raise InvalidInput(str(exc)) from exc


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
    home visit booked to register them (the visit's time must be in the future).
    Raises Forbidden, InvalidInput."""
    if action not in (IntakeRecord.NoCardAction.INVITED, IntakeRecord.NoCardAction.HOME_VISIT):
        raise InvalidInput(_("Choose an invitation or a home visit."), fields={"no_card_action": [_("Choose an invitation or a home visit.")]})
    if action == IntakeRecord.NoCardAction.HOME_VISIT:
        _required(home_visit_at, "home_visit_at")
        if home_visit_at <= timezone.now():
            message = _("The home visit must be in the future.")
            raise InvalidInput(message, fields={"home_visit_at": [message]})
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


def intake_reply(record: IntakeRecord) -> str:
    """The standard reply the operator reads to the caller, in the active language."""
    outcome = IntakeRecord.Outcome
    if record.outcome == outcome.SERVED:
        return _("Your request is registered as %(number)s. The dispatch group will send someone; we will call you if anything changes.") % {
            "number": record.order.number
        }
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
