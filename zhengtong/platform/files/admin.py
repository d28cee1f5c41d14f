"""The back office lists stored files; they are added through the owning apps, never here.

No download link: who may read a file is the owning app's decision.
"""

from django.contrib import admin

from zhengtong.backoffice import ReadOnlyAdmin
from zhengtong.platform.files.models import StoredFile


@admin.register(StoredFile)
class StoredFileAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "size", "owner", "uploaded_by", "uploaded_at", "sha256")
    list_filter = ("kind",)
    list_select_related = ("uploaded_by",)
    search_fields = ("name", "owner", "sha256")
    date_hierarchy = "uploaded_at"
