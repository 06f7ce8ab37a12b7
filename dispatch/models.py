"""The catalog (service areas, skills, service items, partner units), the people
served and serving (residents, workers), and the record of every intake.

Phones are django-phonenumber-field fields: parsed with `phonenumbers` in the
region of PHONE_REGION and stored in E.164, so one phone has one spelling in the
database and a lookup by any written form is one indexed equality query.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from core.models import AppendOnly, NameOrAddress, TypedLine, TypedText
from core.text import LONG_TEXT_LENGTH, NOTE_LENGTH


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    VISIT = "visit", _("Visit")
    WEB = "web", _("Web form")
    EMAIL = "email", _("E-mail")
    API = "api", _("API")


class ServiceArea(models.Model):
    """A community area. `served` areas are ours; the others are listed so a
    caller from there can be given their community office's phone."""

    name = NameOrAddress(_("name"), max_length=100, unique=True)
    office_phone = PhoneNumberField(_("community office phone"))
    served = models.BooleanField(_("served by this department"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = NameOrAddress(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self) -> str:
        return self.name


class ServiceItem(models.Model):
    class Category(models.TextChoices):
        ON_DEMAND = "on_demand", _("On demand")
        SUBSCRIPTION = "subscription", _("Subscription")

    class ApprovalReason(models.TextChoices):
        NONE = "", _("No approval needed")
        EXTERNAL = "external", _("External service")
        SPECIAL = "special", _("Special service")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = NameOrAddress(_("name"), max_length=120)
    name_en = NameOrAddress(_("name in English"), max_length=120, blank=True)
    standard = TypedText(_("service standard"), max_length=LONG_TEXT_LENGTH, blank=True)
    procedure = TypedText(_("procedure"), max_length=LONG_TEXT_LENGTH, blank=True)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.ON_DEMAND
    )
    price = models.DecimalField(
        _("price"), max_digits=10, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    unit = models.CharField(_("price unit"), max_length=40, blank=True)
    chargeable = models.BooleanField(_("chargeable"), default=False)
    needs_card = models.BooleanField(_("needs a service card"), default=True)
    approval = models.CharField(
        _("needs approval"), max_length=20, choices=ApprovalReason.choices, blank=True, default=""
    )
    required_skill = models.ForeignKey(
        Skill, verbose_name=_("required skill"), null=True, blank=True, on_delete=models.PROTECT
    )
    expected_minutes = models.PositiveIntegerField(_("expected duration (minutes)"), default=60)
    response_target_minutes = models.PositiveIntegerField(_("response target (minutes)"), default=60)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def needs_approval(self) -> bool:
        return bool(self.approval)

    def price_on(self, day: datetime.date) -> Decimal:
        """The price in effect on `day` by the price list (ServicePrice); the
        `price` field is the scheduler's copy of today's, for lists."""
        row = self.prices.filter(effective_from__lte=day).order_by("-effective_from").first()
        return row.price if row is not None else self.price


class ServicePrice(models.Model):
    """A service's price from a day on: the catalog's price history, and a
    change decided ahead ("40.00 from the 1st"). A price in effect is
    history and is never changed; an order keeps the price of the day it
    was taken (WorkOrder.expected_fee)."""

    service = models.ForeignKey(ServiceItem, verbose_name=_("service"), on_delete=models.CASCADE, related_name="prices")
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    effective_from = models.DateField(_("effective from"))
    created_at = models.DateTimeField(_("entered at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["service", "-effective_from"]
        verbose_name = _("price")
        verbose_name_plural = _("price list")
        constraints = [
            models.UniqueConstraint(fields=["service", "effective_from"], name="service_price_one_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.service.code} {self.price} {self.effective_from}"


class Worker(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("login"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="worker",
    )
    name = NameOrAddress(_("name"), max_length=100)
    phone = PhoneNumberField(_("phone"))
    skills = models.ManyToManyField(Skill, verbose_name=_("skills"), blank=True, related_name="workers")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("worker")
        verbose_name_plural = _("workers")

    def __str__(self) -> str:
        return self.name


class PartnerUnit(models.Model):
    name = NameOrAddress(_("name"), max_length=120, unique=True)
    contact_person = NameOrAddress(_("contact person"), max_length=100)
    phone = PhoneNumberField(_("phone"))
    phone_alt = PhoneNumberField(_("second phone"), blank=True)
    services = models.ManyToManyField(
        ServiceItem, verbose_name=_("services provided"), blank=True, related_name="partners"
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner unit")
        verbose_name_plural = _("partner units")

    def __str__(self) -> str:
        return self.name


class Resident(models.Model):
    name = NameOrAddress(_("name"), max_length=100)
    address = NameOrAddress(_("address"), max_length=255)
    area = models.ForeignKey(ServiceArea, verbose_name=_("service area"), on_delete=models.PROTECT)
    card_number = models.CharField(_("service card number"), max_length=40, blank=True)
    card_valid_until = models.DateField(_("service card valid until"), null=True, blank=True)
    access_notes = TypedText(_("access notes"), max_length=NOTE_LENGTH, blank=True)
    health_notes = TypedText(_("health notes"), max_length=NOTE_LENGTH, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        permissions = [
            ("view_health_notes", _("Can read residents' health notes")),
            ("export_resident", _("Can export all data of one resident")),
            ("anonymise_resident", _("Can anonymise a resident who leaves")),
        ]

    def __str__(self) -> str:
        return self.name

    def has_valid_card(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return bool(self.card_number) and (self.card_valid_until is None or self.card_valid_until >= on)

    @property
    def primary_phone(self) -> "ResidentPhone | None":
        phones = list(self.phones.all())
        return next((p for p in phones if p.is_primary), phones[0] if phones else None)


class ResidentPhone(models.Model):
    resident = models.ForeignKey(Resident, related_name="phones", on_delete=models.CASCADE)
    number = PhoneNumberField(_("phone"), db_index=True)
    label = TypedLine(_("label"), max_length=40, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("resident phone")
        verbose_name_plural = _("resident phones")
        constraints = [
            models.UniqueConstraint(fields=["resident", "number"], name="resident_phone_unique"),
            models.UniqueConstraint(
                fields=["resident"], condition=Q(is_primary=True), name="resident_one_primary_phone"
            ),
        ]

    def __str__(self) -> str:
        return str(self.number)


class ResidentAccess(AppendOnly, models.Model):
    """Who read which resident's record, and how: the trail a supervisor checks.
    Append-only."""

    class Action(models.TextChoices):
        VIEW = "view", _("Opened the record")
        SEARCH = "search", _("Found in a search")
        EXPORT = "export", _("Exported the data")
        # On paper (a work order, a day's list, the follow-up sheet): it leaves the desk.
        PRINT = "print", _("Printed on paper")
        ANONYMISE = "anonymise", _("Anonymised")

    resident = models.ForeignKey("Resident", on_delete=models.PROTECT, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("access to a resident's record")
        verbose_name_plural = _("access log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class EmergencyContact(models.Model):
    resident = models.ForeignKey(Resident, related_name="emergency_contacts", on_delete=models.CASCADE)
    name = NameOrAddress(_("name"), max_length=100)
    relation = TypedLine(_("relation"), max_length=40)
    phone = PhoneNumberField(_("phone"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("emergency contact")
        verbose_name_plural = _("emergency contacts")

    def __str__(self) -> str:
        return f"{self.name} ({self.relation})"


class IntakeRecord(models.Model):
    """Every request the front desk takes, whatever its outcome (procedure step 2).

    A served intake is pointed at by its work order; the other three outcomes
    have no order, and this row is their only trace.
    """

    class Outcome(models.TextChoices):
        SERVED = "served", _("Served")
        CANNOT_SERVE = "cannot_serve", _("Cannot serve (referred)")
        NO_CARD = "no_card", _("Eligible without service card")
        OUT_OF_AREA = "out_of_area", _("Outside the service area")

    class NoCardAction(models.TextChoices):
        NONE = "", _("None")
        INVITED = "invited", _("Invited to apply for a card")
        HOME_VISIT = "home_visit", _("Home visit to register booked")

    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="intakes",
    )
    caller_phone = PhoneNumberField(_("caller's phone"), blank=True)
    service = models.ForeignKey(
        ServiceItem, verbose_name=_("service"), null=True, blank=True, on_delete=models.PROTECT
    )
    referred_to = TypedLine(_("referred to"), max_length=255, blank=True)
    area = models.ForeignKey(
        ServiceArea, verbose_name=_("caller's area"), null=True, blank=True, on_delete=models.PROTECT
    )
    no_card_action = models.CharField(
        _("action for a resident without card"), max_length=20, choices=NoCardAction.choices,
        blank=True, default="",
    )
    home_visit_at = models.DateTimeField(_("home visit at"), null=True, blank=True)
    notes = TypedText(_("notes"), max_length=NOTE_LENGTH, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("taken by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("taken at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("intake record")
        verbose_name_plural = _("intake records")
        permissions = [("override_card_check", _("Can order a card-only service for a resident without a valid card"))]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} {self.created_at:%Y-%m-%d %H:%M}"


class UserPreference(models.Model):
    """A login's own settings that must follow the person from desk to desk,
    not stay in one browser: shared desk computers change hands each shift."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="preference"
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)

    class Meta:
        verbose_name = _("user preference")
        verbose_name_plural = _("user preferences")

    def __str__(self) -> str:
        return self.language or "-"
