"""Keep the search index in step with the organisation.

The index is derived data, so it is maintained here rather than by each service: whoever
changes a name, a membership, a department, a post or a group (services, imports, the
admin) cannot forget it. ``search.index_people`` rewrites only rows that differ, so a
save that changes nothing searchable costs a read and no write.

Queryset ``update()`` sends no signals: code that changes names or ``is_active`` in bulk
calls ``search.index_people`` itself (or ``manage.py directory_reindex``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from zhengtong.platform.directory import search
from zhengtong.platform.directory.models import Department, Group, GroupMember, Membership, Post

# What the index reads from an account; saves of other fields (last_login at every sign-in) are ignored.
USER_FIELDS = {"display_name", "username", "is_active"}


def _touches(update_fields: Any, fields: set[str]) -> bool:
    return update_fields is None or bool(fields & set(update_fields))


@receiver(post_save, sender=get_user_model(), dispatch_uid="directory_search_user")
def _user_saved(sender: Any, instance: Any, created: bool, update_fields: Any = None, **kwargs: Any) -> None:
    # A new account has no membership yet, so it is not in the directory.
    if not created and _touches(update_fields, USER_FIELDS):
        search.index_people([instance.pk])


@receiver(post_save, sender=Membership, dispatch_uid="directory_search_membership_saved")
@receiver(post_delete, sender=Membership, dispatch_uid="directory_search_membership_deleted")
@receiver(post_save, sender=GroupMember, dispatch_uid="directory_search_group_member_saved")
@receiver(post_delete, sender=GroupMember, dispatch_uid="directory_search_group_member_deleted")
def _place_changed(sender: Any, instance: Membership | GroupMember, **kwargs: Any) -> None:
    search.index_people([instance.user_id])


@receiver(post_save, sender=Department, dispatch_uid="directory_search_department")
def _department_saved(sender: Any, instance: Department, created: bool, update_fields: Any = None, **kwargs: Any) -> None:
    # A rename is re-indexed for its members; path rewrites of a move change nothing searchable.
    if not created and _touches(update_fields, {"name", "short_name"}):
        search.index_people(Membership.objects.filter(department=instance).values_list("user_id", flat=True))


@receiver(post_save, sender=Post, dispatch_uid="directory_search_post")
def _post_saved(sender: Any, instance: Post, created: bool, update_fields: Any = None, **kwargs: Any) -> None:
    if not created and _touches(update_fields, {"name"}):
        search.index_people(Membership.objects.filter(post=instance).values_list("user_id", flat=True))


@receiver(post_save, sender=Group, dispatch_uid="directory_search_group")
def _group_saved(sender: Any, instance: Group, created: bool, update_fields: Any = None, **kwargs: Any) -> None:
    if not created and _touches(update_fields, {"name", "is_active"}):
        search.index_people(GroupMember.objects.filter(group=instance).values_list("user_id", flat=True))
