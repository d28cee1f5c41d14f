"""The back office lists stored files; they are added through the owning apps, never here.

No download link: who may read a file is the owning app's decision.
"""

from django.contrib import admin

from zhengtong.backoffice import ReadOnlyAdmin
from zhengtong.platform.files.models import StoredFile


@admin.register(StoredFile)
class StoredFileAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "size", "owner", "uploaded_by", "uploaded_at", "sha256")
    # A filter by upload date, not a date hierarchy: that converts time zones in SQL, which MariaDB
    # cannot without its time-zone tables loaded (the list failed there once it held a file).
    list_filter = ("kind", "uploaded_at")
    list_select_related = ("uploaded_by",)
    search_fields = ("name", "owner", "sha256")
