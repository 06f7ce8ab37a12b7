"""Written requests (DESIGN.md section 10, "One entry point"): a case
("ärende") that a resident or a relative opens on the public form, by e-mail
or through the API, routed to the function that handles it and answered in
the same case.

Transitions here hold guards and state changes only; `enquiries.services`
locks the row, checks the role (enquiries.actions), writes the message and
the history row, queues the mail and publishes the event. Nothing else
changes `state` (the field is protected).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from phonenumber_field.modelfields import PhoneNumberField

from core.links import LinkToken
from core.models import AppendOnly, NameOrAddress, TypedLine, TypedText
from core.roles import Role
from core.text import LONG_TEXT_LENGTH
from dispatch.models import IntakeRecord, Resident, ServiceArea
from workorders.models import WorkOrder

# A written message: a letter's worth, not a file.
MESSAGE_LENGTH = 10000
SUBJECT_LENGTH = 200


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    EMAIL = "email", _("E-mail")
    API = "api", _("API")
    OPEN311 = "open311", _("Open311")


class ReplyBy(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone call-back")


class State(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    AWAITING = "awaiting", _("Awaiting the requester")
    CLOSED = "closed", _("Closed")
    REFERRED = "referred", _("Referred")
    SPAM = "spam", _("Spam")
    MERGED = "merged", _("Merged")


# States in which the department owes an answer: the due date runs.
WAITING_ON_US = [State.NEW, State.OPEN]
# States in which the case is alive (not ended).
ACTIVE = [State.NEW, State.OPEN, State.ANSWERED, State.AWAITING]
ENDED = [State.CLOSED, State.REFERRED, State.SPAM, State.MERGED]


class Topic(models.Model):
    """What a request is about, and who handles it: the function (a role)
    it is routed to and the working days it must be answered within."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = TypedLine(_("name (English)"), max_length=120)
    name_zh_hans = TypedLine(_("name (Chinese)"), max_length=120)
    name_sv = TypedLine(_("name (Swedish)"), max_length=120)
    function = models.CharField(_("handled by"), max_length=30, choices=Role.choices, default=Role.FRONT_DESK)
    reply_days = models.PositiveSmallIntegerField(
        _("answer within (working days)"), null=True, blank=True,
        help_text=_("Empty: the department's default (ENQUIRY_REPLY_WORKING_DAYS)."),
    )
    active = models.BooleanField(_("offered on the form"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name_en

    def name_in(self, language: str) -> str:
        language = (language or "").lower()
        if language.startswith("zh"):
            return self.name_zh_hans or self.name_en
        if language.startswith("sv"):
            return self.name_sv or self.name_en
        return self.name_en


class ReferenceCounter(models.Model):
    """The last reference number given in a year: references are never reused."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Enquiry(ConcurrentTransitionMixin, models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    topic = models.ForeignKey(Topic, verbose_name=_("topic"), null=True, blank=True, on_delete=models.PROTECT)
    function = models.CharField(_("handled by"), max_length=30, choices=Role.choices, default=Role.FRONT_DESK)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("handler"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    subject = TypedLine(_("subject"), max_length=SUBJECT_LENGTH, blank=True)
    requester_name = NameOrAddress(_("requester's name"), max_length=120, blank=True)
    requester_phone = PhoneNumberField(_("requester's phone"), blank=True)
    requester_email = models.EmailField(_("requester's e-mail"), blank=True)
    reply_by = models.CharField(_("preferred reply"), max_length=10, choices=ReplyBy.choices, default=ReplyBy.EMAIL)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    area = models.ForeignKey(ServiceArea, verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT)
    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="enquiries",
    )
    state = FSMField(_("state"), default=State.NEW, choices=State.choices, protected=True, db_index=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    reply_due_at = models.DateTimeField(_("answer due"), db_index=True)
    first_answered_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Set by the scheduler when the due time passes while the case waits on us.
    overdue_at = models.DateTimeField(_("overdue since"), null=True, blank=True)
    # The per-language keyword list found words about one's own illness: the
    # desk decides (a referral), nothing is refused automatically.
    illness_flag = models.BooleanField(_("may be about one's illness"), default=False)
    order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="enquiries",
    )
    intake = models.ForeignKey(
        IntakeRecord, verbose_name=_("intake"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="enquiries",
    )
    # A requester who writes more than 30 days after closing starts a new case linked to the old.
    previous = models.ForeignKey(
        "self", verbose_name=_("earlier case"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.PROTECT, related_name="merged",
    )
    # The Open311 service request id, or the e-mail's Message-ID that opened it.
    external_id = models.CharField(_("external id"), max_length=255, blank=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["reply_due_at", "id"]
        verbose_name = _("written request")
        verbose_name_plural = _("written requests")
        indexes = [models.Index(fields=["state", "reply_due_at"], name="enquiry_state_due")]

    def __str__(self) -> str:
        return self.reference

    # --- transitions: guards and state changes only (enquiries.services runs them) ---

    @transition(field=state, source=State.NEW, target=State.OPEN)
    def take(self) -> None:
        pass

    @transition(field=state, source=[State.NEW, State.OPEN, State.ANSWERED, State.AWAITING], target=State.ANSWERED)
    def answer(self, *, at) -> None:
        self.first_answered_at = self.first_answered_at or at
        self.overdue_at = None

    @transition(field=state, source=[State.NEW, State.OPEN, State.ANSWERED, State.AWAITING], target=State.AWAITING)
    def ask(self, *, at) -> None:
        self.first_answered_at = self.first_answered_at or at
        self.overdue_at = None

    @transition(field=state, source=[State.ANSWERED, State.AWAITING, State.CLOSED], target=State.OPEN)
    def reopen(self, *, due) -> None:
        self.reply_due_at = due
        self.closed_at = None
        self.overdue_at = None

    @transition(field=state, source=[State.NEW, State.OPEN, State.ANSWERED, State.AWAITING], target=State.CLOSED)
    def close(self, *, at) -> None:
        self.closed_at = at
        self.overdue_at = None

    @transition(field=state, source=[State.NEW, State.OPEN, State.ANSWERED, State.AWAITING], target=State.REFERRED)
    def refer(self, *, at) -> None:
        self.first_answered_at = self.first_answered_at or at
        self.closed_at = at
        self.overdue_at = None

    @transition(field=state, source=[State.NEW, State.OPEN], target=State.SPAM)
    def mark_spam(self, *, at) -> None:
        self.closed_at = at
        self.overdue_at = None

    @transition(field=state, source=[State.NEW, State.OPEN, State.ANSWERED, State.AWAITING], target=State.MERGED)
    def merge(self, *, into: "Enquiry", at) -> None:
        self.merged_into = into
        self.closed_at = at
        self.overdue_at = None


class Direction(models.TextChoices):
    IN = "in", _("From the requester")
    OUT = "out", _("From us")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public reply")
    INTERNAL = "internal", _("Internal note")


class MessageKind(models.TextChoices):
    MESSAGE = "message", _("Message")
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
    UPDATE = "update", _("Order update")
    STANDARD_REPLY = "standard_reply", _("Standard reply")
    REFERRAL = "referral", _("Referral")


class EnquiryMessage(AppendOnly, models.Model):
    """One message of a case's thread, append-only. An internal note is never
    shown or sent to the requester. Only an illness question's body is ever
    removed (`body_removed_at`), by the scheduled pass, never edited."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.PROTECT, related_name="messages")
    at = models.DateTimeField(_("at"), default=timezone.now)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices, default=MessageKind.MESSAGE)
    channel = models.CharField(_("channel"), max_length=10, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    # What the requester or staff wrote; for an e-mail, without the quoted
    # earlier messages (the original is kept in its InboundMail).
    body = TypedText(_("text"), max_length=MESSAGE_LENGTH, blank=True)
    body_removed_at = models.DateTimeField(_("text removed at"), null=True, blank=True)
    inbound = models.ForeignKey(
        "InboundMail", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.enquiry_id} {self.direction} {self.visibility}"


class EnquiryHistory(AppendOnly, models.Model):
    """Append-only: one row per change of a case, like an order's history."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.PROTECT, related_name="history")
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    transition = models.CharField(_("transition"), max_length=40)
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20)
    note = TypedText(_("note"), max_length=LONG_TEXT_LENGTH, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")

    def __str__(self) -> str:
        return f"{self.transition}: {self.from_state} -> {self.to_state}"


class StatusLink(LinkToken):
    """A requester's link to their case's status page (/s/?t=...): valid
    until 30 days after the case ends, revocable."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.PROTECT, related_name="links")

    class Meta:
        verbose_name = _("status link")
        verbose_name_plural = _("status links")


class OutboundMail(models.Model):
    """The outbox: a mail written in the same transaction as the change it
    tells of, sent by the background pass (enquiries.mail_out) with retries.
    A rolled-back change leaves no mail."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    enquiry = models.ForeignKey(Enquiry, null=True, blank=True, on_delete=models.PROTECT, related_name="mails")
    message = models.ForeignKey(EnquiryMessage, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices, default=MessageKind.MESSAGE)
    to = models.EmailField(_("to"))
    subject = TypedLine(_("subject"), max_length=255)
    body = models.TextField(_("text"))
    reply_to = models.CharField(_("reply to"), max_length=255, blank=True)
    mail_message_id = models.CharField(_("Message-ID"), max_length=255, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_error = models.CharField(_("last error"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mail")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbound_due")]

    def __str__(self) -> str:
        return f"{self.id} {self.status}"


class InboundMail(models.Model):
    """A received message as it came (kept whole), taken once per Message-ID."""

    class Result(models.TextChoices):
        NEW_CASE = "new_case", _("Opened a case")
        THREADED = "threaded", _("Added to a case")
        BOUNCE = "bounce", _("Bounce")
        AUTO_REPLY = "auto_reply", _("Automatic reply")
        REFUSED = "refused", _("Refused")

    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    sender = models.CharField(_("from"), max_length=255, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    raw = models.BinaryField(_("message"))
    result = models.CharField(_("result"), max_length=20, choices=Result.choices, blank=True)
    enquiry = models.ForeignKey(Enquiry, null=True, blank=True, on_delete=models.PROTECT, related_name="inbound")

    class Meta:
        ordering = ["id"]
        verbose_name = _("incoming mail")
        verbose_name_plural = _("incoming mail")

    def __str__(self) -> str:
        return self.message_id


class MailAddress(models.Model):
    """What we know of a requester's address: that it bounced."""

    address = models.EmailField(_("address"), unique=True)
    bounced_at = models.DateTimeField(_("bounced at"), null=True, blank=True)
    bounces = models.PositiveIntegerField(_("bounces"), default=0)

    class Meta:
        verbose_name = _("mail address")
        verbose_name_plural = _("mail addresses")

    def __str__(self) -> str:
        return self.address

