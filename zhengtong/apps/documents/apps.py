from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhengtong.apps.documents.permissions import NOTICE_CATEGORY
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.registry import AppManifest, InPlaceAction, Tile


class DocumentsConfig(AppConfig):
    name = "zhengtong.apps.documents"
    label = "documents"
    verbose_name = _("Official documents")
    manifest = AppManifest(
        key="documents", label=_("Official documents"), icon="news", urls="zhengtong.apps.documents.urls",
        url_prefix="apps/documents/", api={"/documents": "zhengtong.apps.documents.api:router"},
        tiles=(Tile("documents", _("Official documents"), "documents:outgoing", "news", perms.USE_BUSINESS_APPS),),
        rules="zhengtong.apps.documents.rules",
        notice_categories={NOTICE_CATEGORY: _("Documents")},
        todos={"delivery": NOTICE_CATEGORY},
        actions=(InPlaceAction("delivery", "receive", _("Sign for"), "zhengtong.apps.documents.todos:receive", batch=True),),
        processes="processes",
        # The names the BPMN definitions in processes/ give their steps and processes.
        step_handlers={f"documents.{name}": f"zhengtong.apps.documents.services:{handler}" for name, handler in (
            ("outgoing", "Outgoing"), ("sign_off", "SignOff"), ("register", "Register"), ("print", "Print"), ("dispatch", "Dispatch"),
            ("incoming", "Incoming"), ("register_incoming", "RegisterIncoming"), ("close", "Close"))},
        subject_links={"documents.document": "zhengtong.apps.documents.services:document_page"},
        archive="zhengtong.apps.documents.archiving:package_for_archives",
        jobs={"issued documents kept signed": "zhengtong.apps.documents.output:keep_issued"},
        records={"documents.document": "zhengtong.apps.documents.discussion:record_for"},
    )

