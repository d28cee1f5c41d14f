from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _create_log_heads(**kwargs: Any) -> None:
    from zhengtong.platform.ledger import sequence

    sequence.create_heads()


class LedgerConfig(AppConfig):
    name = "zhengtong.platform.ledger"
    label = "ledger"
    verbose_name = _("Ledger")

    def ready(self) -> None:
        # After every migrate (and the test runner's flush), while nothing else runs.
        post_migrate.connect(_create_log_heads, sender=self)
