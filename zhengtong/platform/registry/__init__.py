"""The platform's one registry of apps: it reads every installed app's manifest and mounts it.

``load()`` runs once at start-up (``ZhengtongConfig.ready``): it collects the manifests of the
installed apps in ``INSTALLED_APPS`` order, refuses two apps claiming the same name, prefix,
permission, category, action, handler or page (``ImproperlyConfigured``, naming both), and
resolves the code they name. Platform services then ask it: the URLconf and the API for what
to mount, ``access`` for permissions and rules, ``notices`` for categories, ``todo`` for
in-place actions, ``workflow`` for step handlers, processes and record pages, the shell for
tiles and tabs. Adding an app touches ``INSTALLED_APPS`` and its own folder, nothing else.
"""

from zhengtong.platform.registry.manifest import AppManifest, InPlaceAction, Record, RecordLink, Tile
from zhengtong.platform.registry.registry import Registry, current, load

__all__ = ["AppManifest", "InPlaceAction", "Record", "RecordLink", "Registry", "Tile", "current", "load"]
