"""The use cases of written requests: the one place that changes a case.

Every change runs in one transaction with the case's row locked: the state
change, the message, the history row, the mail in the outbox and the event
all commit together or not at all (a rolled-back reply sends nothing).
"""

import datetime
import re
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from core import links
from core.actions import implements
from core.errors import Conflict, InvalidInput, NotFound
from core.roles import Role, require_perm
from dispatch.models import Resident, ServiceArea
from dispatch.phones import parse_phone
from enquiries import actions, addresses, texts
from enquiries.models import (
    ENDED,
    Channel,
    Direction,
    Enquiry,
    EnquiryHistory,
    EnquiryMessage,
    InboundMail,
    MailAddress,
    MessageKind,
    OutboundMail,
    ReferenceCounter,
    ReplyBy,
    State,
    StatusLink,
    Topic,
    Visibility,
)
from realtime.services import publish
from sla.calendar import WorkingCalendar

LANGUAGES = ("zh-hans", "en", "sv")


# --- Reading a case's facts ----------------------------------------------------------


def enquiry_event_data(enquiry: Enquiry) -> dict[str, Any]:
    """What a case's events carry: no requester's name, phone, address or text."""
    return {
        "id": enquiry.id,
        "reference": enquiry.reference,
        "state": enquiry.state,
        "channel": enquiry.channel,
        "topic": enquiry.topic.code if enquiry.topic_id else "",
        "function": enquiry.function,
        "handler": enquiry.handler_id,
        "reply_due_at": enquiry.reply_due_at.isoformat(),
        "overdue": enquiry.overdue_at is not None,
        "illness_flag": enquiry.illness_flag,
    }


def reply_days(topic: Topic | None) -> int:
    if topic is not None and topic.reply_days:
        return topic.reply_days
    return settings.ENQUIRY_REPLY_WORKING_DAYS


def reply_due(received_at: datetime.datetime, topic: Topic | None) -> datetime.datetime:
    """The latest answer time: `reply_days` working days after receipt on the
    department's working calendar (weekends, public holidays and closures skipped)."""
    return WorkingCalendar.load().add_working_days(received_at, reply_days(topic))


def language_of(value: str | None) -> str:
    value = (value or "").lower().replace("_", "-")
    for language in LANGUAGES:
        if value == language or value.split("-")[0] == language.split("-")[0]:
            return language
    return settings.LANGUAGE_CODE.lower()


_WORD = re.compile(r"\w+", re.UNICODE)


def mentions_illness(text: str, language: str) -> bool:
    """Whether the text holds a word of the per-language illness keyword list
    (texts.ILLNESS_KEYWORDS): it only flags the case for the desk."""
    lowered = text.lower()
    keywords = texts.illness_keywords()
    for lang in {language, *LANGUAGES}:
        for word in keywords.get(lang, ()):
            # Chinese has no spaces: a substring; the others: a word's start.
            if lang.startswith("zh"):
                if word in lowered:
                    return True
            elif any(token.startswith(word) for token in _WORD.findall(lowered)):
                return True
    return False


# --- Creating a case --------------------------------------------------------------------


def _reference_next(year: int) -> str:
    """The next reference of `year`, under the year's counter row lock (two
    cases at once never get one number; a number is never given twice)."""
    counter = ReferenceCounter.objects.select_for_update().filter(year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                ReferenceCounter.objects.create(year=year)
        except IntegrityError:
            pass  # another case of the year's first minute made it
        counter = ReferenceCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"E-{year}-{counter.last:06d}"


def _history(enquiry: Enquiry, *, actor, transition: str, from_state: str, note: str = "") -> None:
    EnquiryHistory.objects.create(
        enquiry=enquiry, actor=actor, transition=transition, from_state=from_state, to_state=enquiry.state,
        note=note[:4000],
    )


def enquiry_receive(
    *,
    channel: str,
    body: str,
    requester_name: str = "",
    requester_phone: str = "",
    requester_email: str = "",
    reply_by: str = "",
    language: str = "",
    topic: Topic | None = None,
    area: ServiceArea | None = None,
    subject: str = "",
    actor: AbstractBaseUser | None = None,
    inbound: InboundMail | None = None,
    external_id: str = "",
    previous: Enquiry | None = None,
    acknowledge: bool = True,
    at: datetime.datetime | None = None,
) -> Enquiry:
    """Open a case from a written request (the public form, an e-mail, the
    API): routed to its topic's function, due in its working days, the text
    as its first message, the acknowledgement in the outbox, `enquiry.received`
    published. Raises InvalidInput (no way to answer, a bad phone, no text)."""
    if channel not in Channel.values:
        raise InvalidInput(_("Unknown channel."), fields={"channel": [_("Unknown channel.")]})
    if not body.strip():
        raise InvalidInput(_("Write what the request is about."), fields={"body": [_("Write what the request is about.")]})
    phone = parse_phone(requester_phone, field="requester_phone") if requester_phone else ""
    email = requester_email.strip().lower()
    if not phone and not email:
        message = _("Give a phone number or an e-mail address, so that we can answer.")
        raise InvalidInput(message, fields={"requester_phone": [message], "requester_email": [message]})
    if not reply_by:
        reply_by = ReplyBy.EMAIL if email else ReplyBy.PHONE
    if reply_by == ReplyBy.EMAIL and not email:
        message = _("Give an e-mail address for an answer by e-mail.")
        raise InvalidInput(message, fields={"requester_email": [message]})
    if reply_by == ReplyBy.PHONE and not phone:
        message = _("Give a phone number for a call-back.")
        raise InvalidInput(message, fields={"requester_phone": [message]})
    language = language_of(language)
    at = at or timezone.now()
    with transaction.atomic():
        enquiry = Enquiry(
            reference=_reference_next(timezone.localtime(at).year),
            channel=channel, topic=topic, function=topic.function if topic else Role.FRONT_DESK,
            subject=subject[:200], requester_name=requester_name.strip()[:120], requester_phone=phone,
            requester_email=email, reply_by=reply_by, language=language, area=area, received_at=at,
            reply_due_at=reply_due(at, topic), illness_flag=mentions_illness(f"{subject}\n{body}", language),
            external_id=external_id[:255], previous=previous,
            resident=_resident_by_phone(phone),
        )
        enquiry.save()
        EnquiryMessage.objects.create(
            enquiry=enquiry, at=at, direction=Direction.IN, visibility=Visibility.PUBLIC, channel=channel,
            author=actor, body=body, inbound=inbound,
        )
        _history(enquiry, actor=actor, transition="receive", from_state="",
                 note=previous.reference if previous else "")
        if acknowledge:
            acknowledgement_send(enquiry)
        publish("enquiry.received", enquiry_event_data(enquiry))
    return enquiry


def _resident_by_phone(phone) -> Resident | None:
    """The resident this requester is, when exactly one has this phone."""
    if not phone:
        return None
    matches = list(Resident.objects.filter(phones__number=phone).values_list("id", flat=True).distinct()[:2])
    return Resident.objects.get(id=matches[0]) if len(matches) == 1 else None


# --- Status links ----------------------------------------------------------------------------


def status_link_new(enquiry: Enquiry) -> str:
    """A new status link's secret (given once; only its digest is stored)."""
    secret = links.new_secret()
    StatusLink.objects.create(enquiry=enquiry, digest=links.digest(secret))
    return secret


def status_url(secret: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}/s/?t={secret}"


def status_link_open(secret: str, *, now: datetime.datetime | None = None) -> Enquiry | None:
    """The case a link opens, or None (unknown, revoked, or more than
    ENQUIRY_REOPEN_DAYS after the case ended)."""
    if not secret or len(secret) > 100:
        return None
    now = now or timezone.now()
    link = StatusLink.objects.select_related("enquiry").filter(digest=links.digest(secret)).first()
    if link is None or not link.is_valid(now):
        return None
    enquiry = link.enquiry
    if enquiry.closed_at and now > enquiry.closed_at + datetime.timedelta(days=settings.ENQUIRY_REOPEN_DAYS):
        return None
    StatusLink.objects.filter(id=link.id).update(used_at=now)
    return enquiry


def status_links_revoke(enquiry: Enquiry) -> int:
    return StatusLink.objects.filter(enquiry=enquiry, revoked_at=None).update(revoked_at=timezone.now())


# --- Mail to the requester ---------------------------------------------------------------------


def mail_queue(enquiry: Enquiry, *, kind: str, subject: str, body: str,
               message: EnquiryMessage | None = None) -> OutboundMail | None:
    """Put a mail to the requester in the outbox, in the caller's transaction;
    None when the case has no address or the address bounced."""
    if not enquiry.requester_email:
        return None
    if MailAddress.objects.filter(address=enquiry.requester_email, bounced_at__isnull=False).exists():
        return None
    return OutboundMail.objects.create(
        enquiry=enquiry, message=message, kind=kind, to=enquiry.requester_email, subject=subject[:255], body=body,
        reply_to=addresses.reply_address(enquiry.reference),
    )


def acknowledgement_send(enquiry: Enquiry) -> OutboundMail | None:
    """The acknowledgement of a new case, in the requester's language, unless
    ENQUIRY_ACKS_PER_ADDRESS_PER_DAY went to this address in the last 24 hours
    (two auto-responders answering each other would otherwise never stop)."""
    if not enquiry.requester_email:
        return None
    since = timezone.now() - datetime.timedelta(hours=24)
    sent = OutboundMail.objects.filter(
        to=enquiry.requester_email, kind=MessageKind.ACKNOWLEDGEMENT, created_at__gte=since,
    ).count()
    if sent >= settings.ENQUIRY_ACKS_PER_ADDRESS_PER_DAY:
        return None
    secret = status_link_new(enquiry)
    with override(enquiry.language):
        subject, body = texts.acknowledgement(enquiry, status_url(secret), reply_days(enquiry.topic))
    message = EnquiryMessage.objects.create(
        enquiry=enquiry, direction=Direction.OUT, visibility=Visibility.PUBLIC, kind=MessageKind.ACKNOWLEDGEMENT,
        channel=Channel.EMAIL, body=body,
    )
    return mail_queue(enquiry, kind=MessageKind.ACKNOWLEDGEMENT, subject=subject, body=body, message=message)


def _public_message_send(enquiry: Enquiry, *, body: str, kind: str, actor=None) -> EnquiryMessage:
    """A public message from us: stored in the thread and, for a requester
    who asked for e-mail, queued with a fresh status link."""
    message = EnquiryMessage.objects.create(
        enquiry=enquiry, direction=Direction.OUT, visibility=Visibility.PUBLIC, kind=kind, author=actor,
        channel=Channel.EMAIL if enquiry.reply_by == ReplyBy.EMAIL else "", body=body,
    )
    if enquiry.reply_by == ReplyBy.EMAIL:
        secret = status_link_new(enquiry)
        with override(enquiry.language):
            subject, text = texts.reply_mail(enquiry, body, status_url(secret))
        mail_queue(enquiry, kind=kind, subject=subject, body=text, message=message)
    return message


# --- The desk's actions ---------------------------------------------------------------------------


def _locked(enquiry_id: int) -> Enquiry:
    try:
        return Enquiry.objects.select_for_update(of=("self",)).get(id=enquiry_id)
    except Enquiry.DoesNotExist:
        raise NotFound(_("No such case.")) from None


def _change(
    enquiry: Enquiry, name: str, *, actor, note: str = "", event: str = "enquiry.changed", **kwargs: Any
) -> Enquiry:
    """Run transition `name` on a locked case, save, record, publish."""
    from_state = enquiry.state
    try:
        getattr(enquiry, name)(**kwargs)
        enquiry.save()
    except (TransitionNotAllowed, ConcurrentTransition):
        raise Conflict(_("Someone else changed this case just now; reload it."), state=enquiry.state) from None
    _history(enquiry, actor=actor, transition=name, from_state=from_state, note=note)
    publish(event, enquiry_event_data(enquiry))
    return enquiry


def _begin(actor, action: actions.EnquiryAction, enquiry_id: int) -> Enquiry:
    """Role, lock, state check of an action; a new case is taken by whoever acts on it first."""
    require_perm(actor, action.permission)
    enquiry = _locked(enquiry_id)
    if action.check is not None:
        action.check(enquiry)
    if enquiry.state == State.NEW and action is not actions.TAKE:
        enquiry.handler = enquiry.handler or actor
        _change(enquiry, "take", actor=actor)
    return enquiry


@implements(actions.TAKE)
def enquiry_take(*, actor: AbstractBaseUser, enquiry_id: int, note: str = "") -> Enquiry:
    with transaction.atomic():
        enquiry = _begin(actor, actions.TAKE, enquiry_id)
        enquiry.handler = actor
        return _change(enquiry, "take", actor=actor, note=note)


@implements(actions.REPLY)
def enquiry_reply(*, actor: AbstractBaseUser, enquiry_id: int, body: str, awaiting: bool = False) -> Enquiry:
    """A public reply: stored in the thread, sent to the requester; the case
    is answered (or waits for the requester's answer)."""
    with transaction.atomic():
        enquiry = _begin(actor, actions.REPLY, enquiry_id)
        message = _public_message_send(enquiry, body=body, kind=MessageKind.MESSAGE, actor=actor)
        target = State.AWAITING if awaiting else State.ANSWERED
        if enquiry.state == target:
            # A second reply (two people answering at once): the message is
            # kept, the state stays; no history row for a change that is none.
            publish("enquiry.replied", enquiry_event_data(enquiry))
            return enquiry
        return _change(enquiry, "ask" if awaiting else "answer", actor=actor, event="enquiry.replied", at=message.at)


@implements(actions.NOTE)
def enquiry_note(*, actor: AbstractBaseUser, enquiry_id: int, body: str) -> EnquiryMessage:
    """An internal note: never shown or sent to the requester; no state change."""
    with transaction.atomic():
        enquiry = _begin(actor, actions.NOTE, enquiry_id)
        return EnquiryMessage.objects.create(
            enquiry=enquiry, direction=Direction.OUT, visibility=Visibility.INTERNAL, author=actor, body=body,
        )


@implements(actions.REASSIGN)
def enquiry_reassign(
    *, actor: AbstractBaseUser, enquiry_id: int, function: str, handler_id: int | None = None, note: str = ""
) -> Enquiry:
    from django.contrib.auth import get_user_model

    with transaction.atomic():
        enquiry = _begin(actor, actions.REASSIGN, enquiry_id)
        handler = None
        if handler_id is not None:
            handler = get_user_model().objects.filter(id=handler_id, is_active=True).first()
            if handler is None:
                raise InvalidInput(_("No such person."), fields={"handler": [_("No such person.")]})
        enquiry.function, enquiry.handler = function, handler
        enquiry.save(update_fields=["function", "handler", "updated_at"])
        _history(enquiry, actor=actor, transition="reassign", from_state=enquiry.state, note=note)
        publish("enquiry.changed", enquiry_event_data(enquiry))
        return enquiry


@implements(actions.CLOSE)
def enquiry_close(*, actor: AbstractBaseUser, enquiry_id: int, note: str = "") -> Enquiry:
    with transaction.atomic():
        enquiry = _begin(actor, actions.CLOSE, enquiry_id)
        return _change(enquiry, "close", actor=actor, note=note, at=timezone.now())


@implements(actions.REFER)
def enquiry_refer(*, actor: AbstractBaseUser, enquiry_id: int, note: str = "") -> Enquiry:
    """An illness question: the standard referral (the care provider, the
    medical advice line) as the public answer; the case ends as referred and
    its text is removed after ENQUIRY_ILLNESS_TEXT_DAYS."""
    with transaction.atomic():
        enquiry = _begin(actor, actions.REFER, enquiry_id)
        with override(enquiry.language):
            body = texts.illness_referral()
        _public_message_send(enquiry, body=body, kind=MessageKind.REFERRAL, actor=actor)
        return _change(enquiry, "refer", actor=actor, note=note, event="enquiry.replied", at=timezone.now())


@implements(actions.SPAM)
def enquiry_spam(*, actor: AbstractBaseUser, enquiry_id: int, note: str = "") -> Enquiry:
    with transaction.atomic():
        enquiry = _begin(actor, actions.SPAM, enquiry_id)
        status_links_revoke(enquiry)
        return _change(enquiry, "mark_spam", actor=actor, note=note, at=timezone.now())


@implements(actions.MERGE)
def enquiry_merge(*, actor: AbstractBaseUser, enquiry_id: int, into: str) -> Enquiry:
    """Merge a case into another active one: later messages go there."""
    with transaction.atomic():
        enquiry = _begin(actor, actions.MERGE, enquiry_id)
        target = Enquiry.objects.select_for_update().filter(reference=into.strip().upper()).first()
        if target is None or target.id == enquiry.id or target.state in ENDED:
            message = _("Give the reference of another case that is still active.")
            raise InvalidInput(message, fields={"into": [message]})
        EnquiryMessage.objects.create(
            enquiry=target, direction=Direction.OUT, visibility=Visibility.INTERNAL, author=actor,
            body=_("Case %(reference)s was merged into this one.") % {"reference": enquiry.reference},
        )
        return _change(enquiry, "merge", actor=actor, note=target.reference, into=target, at=timezone.now())


# --- The requester writes -----------------------------------------------------------------------------


def requester_message(
    *, enquiry_id: int, body: str, channel: str, inbound: InboundMail | None = None,
    at: datetime.datetime | None = None,
) -> Enquiry:
    """A message from the requester in their case (the status page, an
    e-mail). An answered or waiting case reopens with a new due date, a
    closed one too within ENQUIRY_REOPEN_DAYS; a case closed longer ago (or
    referred, or spam) gets a new case linked to it; a merged one sends the
    message to the case it was merged into. Returns the case that took it."""
    if not body.strip():
        raise InvalidInput(_("Write your message."), fields={"body": [_("Write your message.")]})
    at = at or timezone.now()
    with transaction.atomic():
        enquiry = _locked(enquiry_id)
        seen = {enquiry.id}
        while enquiry.state == State.MERGED and enquiry.merged_into_id not in seen:
            seen.add(enquiry.merged_into_id)
            enquiry = _locked(enquiry.merged_into_id)
        reopen_until = (enquiry.closed_at or at) + datetime.timedelta(days=settings.ENQUIRY_REOPEN_DAYS)
        if enquiry.state in (State.REFERRED, State.SPAM, State.MERGED) or (
            enquiry.state == State.CLOSED and at > reopen_until
        ):
            return enquiry_receive(
                channel=channel, body=body, requester_name=enquiry.requester_name,
                requester_phone=str(enquiry.requester_phone or ""), requester_email=enquiry.requester_email,
                reply_by=enquiry.reply_by, language=enquiry.language, topic=enquiry.topic, area=enquiry.area,
                subject=enquiry.subject, inbound=inbound, previous=enquiry, at=at,
            )
        EnquiryMessage.objects.create(
            enquiry=enquiry, at=at, direction=Direction.IN, visibility=Visibility.PUBLIC, channel=channel,
            body=body, inbound=inbound,
        )
        if enquiry.state in (State.ANSWERED, State.AWAITING, State.CLOSED):
            return _change(enquiry, "reopen", actor=None, event="enquiry.message_in", due=reply_due(at, enquiry.topic))
        if mentions_illness(body, enquiry.language) and not enquiry.illness_flag:
            enquiry.illness_flag = True
            enquiry.save(update_fields=["illness_flag", "updated_at"])
        publish("enquiry.message_in", enquiry_event_data(enquiry))
        return enquiry
