"""The case's life: reference, due date, acknowledgement, the two ways of
writing, reopening by the requester, and the transitions the states refuse."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from core.errors import Conflict, InvalidInput
from enquiries import actions, addresses, services
from enquiries.models import (
    EnquiryMessage,
    MessageKind,
    OutboundMail,
    State,
    StatusLink,
    Visibility,
)

pytestmark = pytest.mark.django_db

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_a_case_gets_a_reference_never_reused_and_is_due_in_two_working_days(receive):
    first = receive()
    second = receive()
    year = timezone.localtime(first.received_at).year
    assert first.reference == f"E-{year}-000001"
    assert second.reference == f"E-{year}-000002"
    assert first.state == State.NEW and first.function == "front_desk"
    assert first.reply_due_at > first.received_at


def test_the_due_date_skips_a_weekend_and_a_public_holiday(receive, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    # Wednesday 30 September 2026, 10:00: then National Day (1-7 October are
    # holidays, with the weekend inside), so two working days end after the 7th.
    wednesday = datetime.datetime(2026, 9, 30, 10, 0, tzinfo=TZ)
    case = receive(at=wednesday)
    due = case.reply_due_at.astimezone(TZ)
    assert due.date() > datetime.date(2026, 10, 7)
    assert due.time() == datetime.time(10, 0)


def test_a_topic_routes_to_its_function_with_its_own_days(receive, topics):
    case = receive(topic=topics["complaint"])
    assert case.function == "dispatch_lead"
    plain = receive()
    assert case.reply_due_at > plain.reply_due_at


def test_the_acknowledgement_names_reference_function_due_and_link(receive):
    case = receive()
    mail = OutboundMail.objects.get(enquiry=case, kind=MessageKind.ACKNOWLEDGEMENT)
    assert case.reference in mail.subject and case.reference in mail.body
    assert "Front desk" in mail.body and "working days" in mail.body
    assert "/s/?t=" in mail.body and "12320" in mail.body
    assert addresses.reference_from_address(mail.reply_to) == case.reference
    secret = mail.body.split("/s/?t=")[1].split()[0]
    assert services.status_link_open(secret) == case
    assert StatusLink.objects.get(enquiry=case).digest != secret


def test_acknowledgements_to_one_address_are_capped(receive, settings):
    settings.ENQUIRY_ACKS_PER_ADDRESS_PER_DAY = 2
    for _ in range(4):
        receive()
    assert OutboundMail.objects.filter(kind=MessageKind.ACKNOWLEDGEMENT).count() == 2


def test_no_way_to_answer_is_refused(receive):
    with pytest.raises(InvalidInput):
        receive(requester_email="", requester_phone="")
    with pytest.raises(InvalidInput):
        receive(requester_email="", requester_phone="12")


def test_public_reply_and_internal_note_are_two_actions(receive, users):
    case = receive()
    services.enquiry_note(actor=users["front_desk"], enquiry_id=case.id, body="Called the landlord.")
    case.refresh_from_db()
    assert case.state == State.OPEN
    assert OutboundMail.objects.filter(enquiry=case).count() == 1  # the acknowledgement only
    services.enquiry_reply(actor=users["front_desk"], enquiry_id=case.id, body="A technician comes on Monday.")
    case.refresh_from_db()
    assert case.state == State.ANSWERED and case.first_answered_at is not None
    kinds = list(EnquiryMessage.objects.filter(enquiry=case).values_list("direction", "visibility"))
    assert kinds == [("in", "public"), ("out", "public"), ("out", "internal"), ("out", "public")]
    reply = OutboundMail.objects.filter(enquiry=case).last()
    assert "technician" in reply.body and "Called the landlord" not in reply.body


def test_the_requester_reopens_an_answered_case_with_a_new_due_date(receive, users):
    case = receive()
    services.enquiry_reply(actor=users["front_desk"], enquiry_id=case.id, body="Done.")
    later = timezone.now() + datetime.timedelta(days=3)
    again = services.requester_message(enquiry_id=case.id, body="It broke again.", channel="web", at=later)
    assert again.id == case.id and again.state == State.OPEN
    assert again.reply_due_at > case.reply_due_at


def test_a_case_closed_long_ago_starts_a_new_linked_case(receive, users):
    case = receive()
    services.enquiry_close(actor=users["front_desk"], enquiry_id=case.id)
    much_later = timezone.now() + datetime.timedelta(days=31)
    new = services.requester_message(enquiry_id=case.id, body="Me again.", channel="email", at=much_later)
    assert new.id != case.id and new.previous_id == case.id and new.state == State.NEW


def test_a_closed_case_reopens_within_thirty_days(receive, users):
    case = receive()
    services.enquiry_close(actor=users["front_desk"], enquiry_id=case.id)
    soon = timezone.now() + datetime.timedelta(days=10)
    assert services.requester_message(enquiry_id=case.id, body="One more thing.", channel="web", at=soon).id == case.id


@pytest.mark.parametrize("name", ["take", "reply", "note", "reassign", "close", "refer", "spam", "merge"])
def test_an_ended_case_refuses_every_action_with_409(receive, users, name):
    case = receive()
    services.enquiry_spam(actor=users["front_desk"], enquiry_id=case.id)
    case.refresh_from_db()
    with pytest.raises(Conflict):
        actions.ACTIONS[name].check(case)


def test_an_illness_question_is_flagged_never_refused(receive, users):
    case = receive(body="I have had a fever and pain in my back, what medicine should I take?")
    assert case.illness_flag and case.state == State.NEW
    services.enquiry_refer(actor=users["front_desk"], enquiry_id=case.id)
    case.refresh_from_db()
    assert case.state == State.REFERRED
    referral = EnquiryMessage.objects.filter(enquiry=case, kind=MessageKind.REFERRAL).get()
    assert referral.visibility == Visibility.PUBLIC and "12320" in referral.body


def test_nothing_is_queued_when_the_transaction_rolls_back(receive, users):
    from django.db import transaction

    case = receive()
    before = OutboundMail.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.enquiry_reply(actor=users["front_desk"], enquiry_id=case.id, body="Hello")
        raise RuntimeError
    assert OutboundMail.objects.count() == before
    case.refresh_from_db()
    assert case.state == State.NEW
