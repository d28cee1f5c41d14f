"""The platform's settings with the throw-away app added: the one line an app needs outside its folder."""

from zhengtong.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.inspections"]  # noqa: F405
