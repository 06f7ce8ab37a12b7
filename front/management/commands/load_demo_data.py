"""Load the invented demo data. Idempotent: a second run changes nothing."""

import datetime
import random

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from core.errors import InvalidInput
from core.scheduler import scheduler_pass
from dispatch.models import PartnerUnit, Resident, ServiceArea, ServiceItem, Skill, Worker
from dispatch.phones import parse_phone
from dispatch.services import resident_create
from followup import services as followup
from front import demo
from sla.models import ServiceLevel, TargetUnit
from subscriptions.models import Subscription
from subscriptions.services import subscription_create
from workorders import services as orders
from workorders.models import OrderHistory, WorkOrder


class Command(BaseCommand):
    help = "Create the demo catalog, residents, workers, logins per role and orders in every state."

    def handle(self, *args, **options):
        with transaction.atomic():
            users = self._users()
            self._catalog()
            self._workers(users)
            if not Resident.objects.exists():
                self._residents(users["frontdesk"])
        # Orders go through the real services, one transaction each, like desk work.
        if not self._orders_exist():
            self._orders(users)
        _service_levels_demo(users)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        for username, role in demo.ROLE_LOGINS:
            self.stdout.write(f"  {role:<14} {username} / {demo.DEMO_PASSWORD}")

    def _users(self) -> dict[str, User]:
        users = {}
        for username, role in demo.ROLE_LOGINS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": role in ("coordinator", "supervisor")}
            )
            if created:
                user.set_password(demo.DEMO_PASSWORD)
                user.save()
            user.groups.add(Group.objects.get(name=role))
            users[username] = user
        return users

    def _catalog(self) -> None:
        for code, name, name_en in demo.SKILLS:
            Skill.objects.get_or_create(code=code, defaults={"name": f"{name} / {name_en}"})
        for name, phone, served in demo.AREAS:
            ServiceArea.objects.get_or_create(name=name, defaults={"office_phone": parse_phone(phone), "served": served})
        for code, name, name_en, category, price, unit, chargeable, card, approval, skill, minutes, target in demo.SERVICES:
            ServiceItem.objects.get_or_create(
                code=code,
                defaults={
                    "name": name, "name_en": name_en, "category": category, "price": price, "unit": unit,
                    "chargeable": chargeable, "needs_card": card, "approval": approval,
                    "required_skill": Skill.objects.filter(code=skill).first(),
                    "expected_minutes": minutes, "response_target_minutes": target,
                    "standard": f"按《{name}服务规范》执行 / Performed to the {name_en.lower()} standard.",
                    "procedure": "预约-上门-服务-签字确认 / Book, visit, serve, resident signs.",
                },
            )
        for name, contact, phone, services in demo.PARTNERS:
            partner, created = PartnerUnit.objects.get_or_create(
                name=name, defaults={"contact_person": contact, "phone": parse_phone(phone)}
            )
            if created:
                partner.services.set(ServiceItem.objects.filter(code__in=services))

    def _workers(self, users: dict[str, User]) -> None:
        rng = random.Random(7)
        for index, (name, skills) in enumerate(demo.WORKERS):
            worker, created = Worker.objects.get_or_create(
                name=name, defaults={"phone": _mobile(rng), "user": users["worker"] if index == 0 else None}
            )
            if created:
                worker.skills.set(Skill.objects.filter(code__in=skills))

    def _residents(self, actor: User) -> None:
        rng = random.Random(2026)
        areas = list(ServiceArea.objects.order_by("id"))
        served = [a for a in areas if a.served]
        today = timezone.localdate()
        shared_phone = None
        for i in range(50):
            name = rng.choice(demo.SURNAMES) + rng.choice(demo.GIVEN)
            area = served[i % len(served)] if i < 46 else areas[-1 - (i % 2)]
            phones = [{"number": _mobile(rng), "label": "手机", "is_primary": True}]
            if i % 3 == 0:
                phones.append({"number": f"010 {rng.randint(6000, 8999)} {rng.randint(1000, 9999)}", "label": "座机"})
            if i == 1:
                shared_phone = phones[0]["number"]
            if i == 2 and shared_phone:
                # A couple on one phone: the lookup must offer both.
                phones = [{"number": shared_phone, "label": "家庭", "is_primary": True}]
            has_card = i % 7 != 3
            resident_create(
                actor=actor, name=name, address=f"{rng.choice(demo.STREETS)}{rng.randint(1, 200)}号{rng.randint(1, 6)}单元{rng.randint(101, 1806)}室",
                area=area, phones=phones,
                card_number=f"YL{2026000 + i:07d}" if has_card else "",
                card_valid_until=today + datetime.timedelta(days=365 - i) if has_card else None,
                emergency_contacts=[{"name": rng.choice(demo.SURNAMES) + rng.choice(demo.GIVEN), "relation": rng.choice(demo.RELATIONS), "phone": _mobile(rng)}],
                access_notes="门禁密码请致电确认 / Call for the door code" if i % 4 == 0 else "",
                health_notes="行动不便 / Walks with a frame" if i % 5 == 0 else "",
            )

    def _orders_exist(self) -> bool:

        return WorkOrder.objects.exists()

    def _orders(self, users: dict[str, User]) -> None:

        desk, dispatcher, lead = users["frontdesk"], users["dispatcher"], users["lead"]
        residents = list(Resident.objects.filter(area__served=True).exclude(card_number="").order_by("id"))
        service = {s.code: s for s in ServiceItem.objects.all()}
        worker = {w.name: w for w in Worker.objects.all()}
        partner = PartnerUnit.objects.get(name=demo.PARTNERS[0][0])
        now = timezone.now()

        def new(code: str, i: int, **kw):
            return orders.order_create(actor=desk, resident=residents[i], service=service[code], channel="phone", **kw)

        def assign(order, name):
            return orders.order_assign(actor=dispatcher, order_id=order.pk, worker_id=worker[name].pk)

        def served(order, name):
            # Assigned, printed, handed out and taken back: ready for its follow-up call.
            order = assign(order, name)
            orders.order_print(actor=desk, order_id=order.pk)
            orders.order_collect(actor=desk, order_id=order.pk)
            # Served between its collection and now (the demo's day starts now).
            return orders.order_return(actor=desk, order_id=order.pk, actual_start=now, actual_end=timezone.now())

        new("meal-deliver", 0, notes="少盐 / Low salt")
        new("transport", 1, urgency="urgent")
        orders.order_request_approval(actor=dispatcher, order_id=new("grab-bar", 2).pk)
        o = new("wound-care", 3)
        orders.order_request_approval(actor=dispatcher, order_id=o.pk)
        orders.order_approve(actor=lead, order_id=o.pk)
        o = new("senior-uni", 4)
        orders.order_request_approval(actor=dispatcher, order_id=o.pk)
        orders.order_reject(actor=lead, order_id=o.pk, reason="本学期已满 / This term is full")
        assign(new("clean-home", 5), "李阿姨")
        orders.order_assign(actor=dispatcher, order_id=new("laundry", 6).pk, partner_id=partner.pk)
        orders.order_print(actor=desk, order_id=assign(new("repair-water", 7), "陈师傅").pk)
        o = assign(new("bath-help", 8), "王护士")
        orders.order_print(actor=desk, order_id=o.pk)
        orders.order_collect(actor=desk, order_id=o.pk)
        o = assign(new("hair-cut", 9), "张大姐")
        orders.order_print(actor=desk, order_id=o.pk)
        orders.order_collect(actor=desk, order_id=o.pk)
        orders.order_return(
            actor=desk, order_id=o.pk, actual_start=now, actual_end=timezone.now(), remarks="顺利 / Went well",
        )
        o = assign(new("repair-lock", 10), "周师傅")
        orders.order_print(actor=desk, order_id=o.pk)
        orders.order_collect(actor=desk, order_id=o.pk)
        orders.order_return(
            actor=desk, order_id=o.pk, actual_start=now, actual_end=timezone.now(), fee=demo.FEE_EXAMPLE,
        )
        o = new("emergency-call", 11, urgency="urgent", notes="跌倒 / A fall")
        orders.order_emergency_start(actor=dispatcher, order_id=o.pk, worker_id=worker["张大姐"].pk)
        orders.order_cancel(actor=desk, order_id=new("chat-visit", 12).pk, reason="家属已陪同 / Family is with her")
        # The field worker login belongs to 周师傅: give him a day's work.
        assign(new("repair-water", 13), "周师傅")
        orders.order_print(actor=desk, order_id=assign(new("transport", 14), "周师傅").pk)
        self._followups(users, serve_new=lambda code, i, name: served(new(code, i), name))

    def _followups(self, users: dict[str, User], serve_new) -> None:
        """Follow-up calls through the services: one returned order stays in the
        queue after an unanswered attempt, one closes satisfied, one complaint
        is escalated to the lead, who notes what was done."""

        desk, lead = users["frontdesk"], users["lead"]
        waiting = serve_new("meal-deliver", 15, "李阿姨")
        followup.followup_log_call(actor=desk, order_id=waiting.pk, result="no_answer")
        followup.followup_log_call(
            actor=desk, order_id=serve_new("clean-home", 16, "李阿姨").pk, result="reached", quality=5, satisfied=True,
            comments="很满意 / Very pleased",
        )
        call = followup.followup_log_call(
            actor=desk, order_id=serve_new("repair-water", 17, "陈师傅").pk, result="reached", quality=2,
            satisfied=False, comments="水管仍在滴水 / The pipe still drips",
        )
        followup.escalation_add_note(
            actor=lead, escalation_id=call.escalation.pk,
            note="已致电陈师傅，明早返修 / Called the plumber; he goes back tomorrow morning",
        )


def _mobile(rng: random.Random) -> str:
    while True:
        raw = f"1{rng.choice('3589')}{rng.randint(0, 9)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
        try:
            return parse_phone(raw)
        except InvalidInput:
            continue


# --- Service levels, subscriptions and an overdue order ---------------------------------------


def _service_levels_demo(users: dict[str, User]) -> None:
    """Service levels for a few services, three subscriptions and one order
    past its dispatch deadline, then one scheduler pass so the board has red
    cases at once. Each part is made only if missing: a second run changes
    nothing (the scheduler pass itself is idempotent)."""

    for code, amount, unit, start_amount, start_unit in [
        ("clean-home", 4, TargetUnit.WORKING_HOURS, 2, TargetUnit.WORKING_DAYS),
        ("repair-water", 2, TargetUnit.WORKING_HOURS, 1, TargetUnit.WORKING_DAYS),
        ("grab-bar", 2, TargetUnit.WORKING_DAYS, 10, TargetUnit.WORKING_DAYS),
        ("transport", 3, TargetUnit.MINUTES, None, TargetUnit.WORKING_DAYS),
    ]:
        service = ServiceItem.objects.filter(code=code).first()
        if service is not None:
            # The service came with its level, seeded with its minutes
            # (sla.signals); set the demo's, unless someone has edited it.
            ServiceLevel.objects.filter(
                service=service, response_unit=TargetUnit.MINUTES,
                response_amount=max(service.response_target_minutes, 1), start_amount=None,
            ).update(response_amount=amount, response_unit=unit, start_amount=start_amount, start_unit=start_unit)
    desk = users["frontdesk"]
    residents = list(Resident.objects.filter(area__served=True).exclude(card_number="").order_by("id"))
    workers = {w.name: w for w in Worker.objects.all()}
    now = timezone.now()
    if not Subscription.objects.exists() and len(residents) > 22:
        start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        for i, code, rule, worker in [
            (20, "clean-weekly", "FREQ=WEEKLY;BYDAY=TU;BYHOUR=9;BYMINUTE=0;BYSECOND=0", "李阿姨"),
            (21, "meal-weekly", "FREQ=DAILY;BYHOUR=11;BYMINUTE=0;BYSECOND=0", None),
            (22, "phone-check", "FREQ=MONTHLY;BYDAY=+1MO;BYHOUR=10;BYMINUTE=0;BYSECOND=0", None),
        ]:
            service = ServiceItem.objects.filter(code=code).first()
            if service is not None:
                subscription_create(
                    actor=desk, resident=residents[i], service=service, rule=rule, starts_at=start,
                    preferred_worker=workers.get(worker) if worker else None,
                )
    marker = "演示：超时未派单 / Demo: past its dispatch deadline"
    if not WorkOrder.objects.filter(notes=marker).exists() and len(residents) > 23:
        order = orders.order_create(
            actor=desk, resident=residents[23], service=ServiceItem.objects.get(code="repair-water"),
            channel="phone", notes=marker,
        )
        # Demo data only: taken as if two weeks ago (longer than any holiday
        # run), so the board shows a red case as soon as it opens.
        taken = now - datetime.timedelta(days=14)
        WorkOrder.objects.filter(pk=order.pk).update(created_at=taken)
        OrderHistory.objects.filter(order=order, transition="create").update(at=taken)
    scheduler_pass()
