"""The message center's operations: send, read, remind, recall, quick actions, preferences.

Every app notifies people through ``notify``. Each operation runs in one transaction, stores
first and publishes the matching event to the people's devices (``stream.publish``) in that
transaction, so a device that was offline replays exactly what changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import time, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.errors import Conflict, ServiceError
from zhengtong.platform import registry
from zhengtong.platform.access.policy import require
from zhengtong.platform.audit import services as audit
from zhengtong.platform.notices import categories, channels, recipients, stream
from zhengtong.platform.notices.models import Delivery, Notice, NoticeRecipient, Preference
from zhengtong.platform.notices.permissions import BROADCAST
from zhengtong.platform.registry import actions as in_place


def summary(notice: Notice) -> dict[str, Any]:
    """What a device is told of a notice: enough to show it in a list and count it."""
    return {"id": notice.pk, "title": notice.title, "category": notice.category, "priority": notice.priority, "app": notice.app,
            "link": notice.link, "sender": notice.sender.get_full_name() if notice.sender else "",
            "created_at": notice.created_at.isoformat()}


def unread_total(user: Any) -> int:
    """The 消息 tab's badge."""
    return int(unread_counts(user)["total"])


def _publish_with_badge(user_ids: Sequence[int], kind: str, payload: dict[str, Any]) -> None:
    """Publish ``kind`` to each person with their new 消息 badge count in the same frame.

    One grouped count for everyone, then one publish per distinct count, so a notice to a
    thousand people costs a handful of queries, not a thousand.
    """
    totals = _unread_totals(user_ids)
    by_total: dict[int, list[int]] = defaultdict(list)
    for user_id in user_ids:
        by_total[totals.get(user_id, 0)].append(user_id)
    for total, ids in by_total.items():
        stream.publish(ids, kind, {**payload, "counts": {"messages": total}})


def _unread_totals(user_ids: Sequence[int]) -> dict[int, int]:
    """Each person's unread notices: one grouped count, in plain SQL (every chat message to someone away
    asks it inside the send's transaction, and the ORM took ten times longer to build it than to run it)."""
    if not user_ids:
        return {}
    quote = connection.ops.quote_name
    copies, notices, user = quote(NoticeRecipient._meta.db_table), quote(Notice._meta.db_table), quote("user_id")
    marks = ", ".join(["%s"] * len(user_ids))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT r.{user}, COUNT(*) FROM {copies} r JOIN {notices} n ON n.{quote('id')} = r.{quote('notice_id')} "  # noqa: S608
                       f"WHERE r.{user} IN ({marks}) AND r.{quote('read_at')} IS NULL AND n.{quote('recalled_at')} IS NULL "
                       f"GROUP BY r.{user}", list(user_ids))
        return {int(user_id): int(count) for user_id, count in cursor.fetchall()}


def _check(title: str, link: str, category: str, priority: str, target: str, quick_actions: Sequence[dict[str, str]]) -> None:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("A title is required.")]
    parts = urlsplit(link)
    # Inside the platform only: a notice must never send people to another site (phishing).
    if link and (not link.startswith("/") or link.startswith("//") or "\\" in link or parts.scheme or parts.netloc):
        errors["link"] = [_("The link must be a path inside the platform, starting with /.")]
    if category not in categories.catalogue():
        errors["category"] = [_("Unknown category “%(code)s”.") % {"code": category}]
    if priority not in Notice.Priority.values:
        errors["priority"] = [_("Unknown priority “%(code)s”.") % {"code": priority}]
    kind = target.partition(":")[0]
    if any(not isinstance(a, dict) or registry.current().action(kind, str(a.get("code", ""))) is None or not a.get("label")
           for a in quick_actions):
        errors["quick_actions"] = [_("Every quick action needs a label and a handler registered by its app.")]
    if errors:
        raise ServiceError("invalid", _("The notice is not valid."), errors)


def notify(*, sender: Any, to: Iterable[Any], title: str, body: str = "", link: str = "", category: str,
           priority: str = Notice.Priority.NORMAL, app: str = "", quick_actions: Sequence[dict[str, str]] = (),
           target: str = "") -> Notice:
    """Send a notice to people, departments, posts, groups and roles (``recipients`` explains ``to``).

    The caller has already decided that ``sender`` may notify these people (an app under its
    own rules; ``broadcast`` for people writing their own). ``sender`` None: the system.
    """
    to = list(to)
    _check(title, link, category, priority, target, quick_actions)
    user_ids = recipients.resolve(to)
    if not user_ids:
        raise ServiceError("no_recipients", _("Nobody would receive this notice."), {"to": [_("No active person found.")]})
    # No savepoint inside a service's transaction (two round trips on every chat message to someone away):
    # a failure here fails the caller's whole transaction, as batch.atomic does.
    with transaction.atomic(savepoint=False):
        notice = Notice.objects.create(
            sender=sender, app=app, category=category, priority=priority, title=title.strip()[:200], body=body.strip(), link=link,
            quick_actions=[{"code": a["code"], "label": str(a["label"])} for a in quick_actions], target=target)
        copies = NoticeRecipient.objects.bulk_create(
            [NoticeRecipient(notice=notice, user_id=user_id, category=category, delivered_at=notice.created_at)
             for user_id in user_ids],
            batch_size=500)
        channels.queue(copies, channels.channels_for(category), "sent")
        sent = {"title": notice.title, "category": category, "priority": priority, "to": [str(entry) for entry in to]}
        audit.record("notices.sent", actor=sender, obj=notice, detail=f"{len(user_ids)} recipients", changes=audit.diff({}, sent))
        _publish_with_badge(user_ids, "notice.new", {"notice": summary(notice)})
    return notice


def broadcast(*, acting_user: Any, to: Iterable[Any], title: str, body: str = "", link: str = "",
              category: str = categories.SYSTEM, priority: str = Notice.Priority.NORMAL) -> Notice:
    """A person writing their own notice (the compose page, the API): needs ``notices.broadcast``."""
    require(acting_user, BROADCAST)
    return notify(sender=acting_user, to=list(to), title=title, body=body, link=link, category=category, priority=priority)


def unread_counts(user: Any) -> dict[str, Any]:
    rows = (NoticeRecipient.objects.filter(user=user, read_at__isnull=True, notice__recalled_at__isnull=True)
            .values("category").annotate(n=Count("id")).order_by())
    by_category = {row["category"]: row["n"] for row in rows}
    return {"total": sum(by_category.values()), "by_category": by_category}


def own_copy(user: Any, notice_id: int) -> NoticeRecipient:
    """A person's copy of a live notice; 404 for anyone who did not receive it (nothing leaks)."""
    copy = (NoticeRecipient.objects.select_related("notice__sender")
            .filter(user=user, notice_id=notice_id, notice__recalled_at__isnull=True).first())
    if copy is None or not getattr(user, "is_active", False):
        raise Http404
    return copy


def _mark(user: Any, copies: QuerySet[NoticeRecipient], scope: dict[str, Any]) -> int:
    # Reading is not written to the audit trail (it would flood it): the read time stays on the
    # copy, where the message audit shows it.
    with transaction.atomic():
        ids = list(copies.filter(read_at__isnull=True).values_list("notice_id", flat=True))
        if not ids:
            return 0
        copies.filter(read_at__isnull=True).update(read_at=timezone.now())
        counts = unread_counts(user)
        stream.publish([user.pk], "notice.read", {**scope, "notices": ids, "unread": counts, "counts": {"messages": counts["total"]}})
    return len(ids)


def mark_read(*, user: Any, notice_id: int) -> int:
    copy = own_copy(user, notice_id)
    return _mark(user, NoticeRecipient.objects.filter(pk=copy.pk), {})


def mark_all_read(*, user: Any, category: str = "") -> int:
    copies = NoticeRecipient.objects.filter(user=user, notice__recalled_at__isnull=True)
    return _mark(user, copies.filter(category=category) if category else copies, {"category": category})


def sent_notice(acting_user: Any, notice_id: int) -> Notice:
    """A notice its sender may follow up (receipts, remind, recall); 404 for anyone else."""
    notice = Notice.objects.filter(pk=notice_id, sender__isnull=False, sender=acting_user).first()
    if notice is None or not getattr(acting_user, "is_active", False):
        raise Http404
    return notice


def remind_unread(*, acting_user: Any, notice_id: int) -> int:
    """Remind those who have not read: their devices are told again and the category's channels used.

    At most once per ``WORKFLOW_REMIND_MINUTES``, the same limit as 催办 in workflow: a reminder
    may go out by SMS, and people should not be flooded.
    """
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=sent_notice(acting_user, notice_id).pk)
        if notice.recalled_at:
            raise Conflict("recalled", _("This notice has been recalled."))
        now = timezone.now()
        window = timedelta(minutes=settings.WORKFLOW_REMIND_MINUTES)
        if notice.last_reminded_at and notice.last_reminded_at > now - window:
            again = timezone.localtime(notice.last_reminded_at + window)
            raise Conflict("too_soon", _("They were reminded recently; you can remind them again after %(time)s.")
                           % {"time": again.strftime("%H:%M")})
        unread = list(notice.recipients.filter(read_at__isnull=True))
        if unread:
            notice.last_reminded_at = now
            notice.save(update_fields=["last_reminded_at"])
            channels.queue(unread, channels.channels_for(notice.category), "reminder")
            stream.publish([copy.user_id for copy in unread], "notice.reminded", {"notice": summary(notice)})
        audit.record("notices.reminded", actor=acting_user, obj=notice, detail=f"{len(unread)} unread")
    return len(unread)


def recall(*, acting_user: Any, notice_id: int) -> Notice:
    """Recall a notice: it disappears from every recipient's list; unsent deliveries are dropped."""
    with transaction.atomic():
        notice = sent_notice(acting_user, notice_id)
        if notice.recalled_at:
            raise Conflict("recalled", _("This notice has been recalled."))
        notice.recalled_at = timezone.now()
        notice.save(update_fields=["recalled_at"])
        Delivery.objects.filter(recipient__notice=notice, state=Delivery.State.PENDING).update(
            state=Delivery.State.SKIPPED, detail="recalled", finished_at=notice.recalled_at)
        audit.record("notices.recalled", actor=acting_user, obj=notice)
        _publish_with_badge(list(notice.recipients.values_list("user_id", flat=True)), "notice.recalled", {"notice": {"id": notice.pk}})
    return notice


def run_action(*, user: Any, notice_id: int, code: str, comment: str = "") -> str:
    """Run a quick action in place: the owning app's handler decides, under its own checks."""
    copy = own_copy(user, notice_id)
    notice = copy.notice
    if code not in {a.get("code") for a in notice.quick_actions}:
        raise ServiceError("invalid", _("This notice offers no such action."))
    kind, _sep, object_id = notice.target.partition(":")
    with transaction.atomic():
        message = in_place.run(acting_user=user, kind=kind, object_id=object_id, code=code, comment=comment)
        # Acting on a notice is reading it.
        _mark(user, NoticeRecipient.objects.filter(pk=copy.pk), {})
    return message


def set_preferences(*, user: Any, quiet_from: time | None, quiet_until: time | None, muted_categories: Iterable[str]) -> Preference:
    muted = sorted(set(muted_categories))
    errors: dict[str, list[str]] = {}
    if any(code not in categories.catalogue() for code in muted):
        errors["muted_categories"] = [_("Unknown category.")]
    if (quiet_from is None) != (quiet_until is None):
        errors["quiet_until"] = [_("Give both the start and the end of the quiet hours.")]
    if errors:
        raise ServiceError("invalid", _("The preferences are not valid."), errors)
    with transaction.atomic():
        pref, _created = Preference.objects.select_for_update().get_or_create(user=user)
        before = {"quiet_from": pref.quiet_from, "quiet_until": pref.quiet_until, "muted_categories": pref.muted_categories}
        pref.quiet_from, pref.quiet_until, pref.muted_categories = quiet_from, quiet_until, muted
        pref.save()
        audit.record("notices.preferences", actor=user, obj=pref, changes=audit.diff(
            before, {"quiet_from": quiet_from, "quiet_until": quiet_until, "muted_categories": muted}))
    return pref
