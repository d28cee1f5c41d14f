"""Collecting, checking and resolving the manifests (see the package's docstring)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from zhengtong.platform.registry.manifest import AppManifest, InPlaceAction, Label, Record, RecordLink, Tile


def resolve(dotted: str) -> Any:
    """``"package.module:attribute"`` → the attribute; ``"package.module"`` → the module."""
    module_name, _sep, attribute = dotted.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module


@dataclass(frozen=True)
class Installed:
    """One manifest with the Django app that declared it."""

    manifest: AppManifest
    path: Path  # the app's folder
    label: str  # the Django app label


class Registry:
    def __init__(self, installed: Iterable[Installed]) -> None:
        self.installed = tuple(installed)
        self._check()
        self.apps = {entry.manifest.key: entry.manifest for entry in self.installed}
        self.permissions: dict[str, Label] = {code: label for m in self.apps.values() for code, label in m.permissions.items()}
        self.notice_categories: dict[str, Label] = {
            code: label for m in self.apps.values() for code, label in m.notice_categories.items()}
        self.actions: dict[tuple[str, str], InPlaceAction] = {
            (f"{m.key}.{action.kind}", action.code): action for m in self.apps.values() for action in m.actions}
        self.todo_categories: dict[str, str] = {f"{m.key}.{kind}": category for m in self.apps.values()
                                                for kind, category in m.todos.items()}
        self._handlers: dict[tuple[str, str], Callable[..., Any]] = {}
        self.rules: dict[str, Callable[[Any, Any], bool]] = {}
        self.step_handlers: dict[str, Any] = {}
        self.subject_links: dict[str, Callable[[str], str]] = {}
        self.process_owner: dict[str, str] = {}
        self.process_dirs: list[Path] = []
        self.namespaces: dict[str, AppManifest] = {}
        self.badges: dict[str, Callable[[Any], int]] = {}
        self.jobs: dict[str, Callable[[Any], int]] = {}
        self.records: dict[str, Callable[[Any, str], Record | None]] = {}
        self.link_offers: dict[str, Callable[[Any, str, str], RecordLink | None]] = {}

    # --- Checking --------------------------------------------------------------------------

    def _check(self) -> None:
        """Refuse two apps claiming one name, prefix or code: the second would silently win."""
        claims: dict[tuple[str, str], str] = {}

        def claim(kind: str, value: str, owner: str) -> None:
            previous = claims.get((kind, value))
            if previous == owner:
                raise ImproperlyConfigured(f"the app {owner} declares the {kind} {value!r} twice")
            if previous is not None:
                raise ImproperlyConfigured(f"the apps {previous} and {owner} both declare the {kind} {value!r}")
            claims[(kind, value)] = owner

        for entry in self.installed:
            manifest = entry.manifest
            claim("app key", manifest.key, entry.label)
            if manifest.urls and manifest.url_prefix:  # the root is shared: the shell's and the workbench's pages
                claim("URL prefix", manifest.url_prefix, manifest.key)
            for prefix in manifest.api:
                claim("API prefix", prefix, manifest.key)
            for route in manifest.websockets:
                claim("WebSocket route", route, manifest.key)
            for tile in manifest.tiles:
                claim("tile", tile.key, manifest.key)
            for code in manifest.permissions:
                claim("permission", code, manifest.key)
            for code in manifest.notice_categories:
                claim("notice category", code, manifest.key)
            for category in manifest.todos.values():
                if category not in self._declared_categories():
                    raise ImproperlyConfigured(f"the app {manifest.key} files its to-dos under the notice category {category!r}, "
                                               "which no app declares")
            for action in manifest.actions:
                claim("in-place action", f"{manifest.key}.{action.kind}:{action.code}", manifest.key)
            for name in manifest.step_handlers:
                claim("step handler", name, manifest.key)
            for kind in manifest.subject_links:
                claim("record page for subjects", kind, manifest.key)
            for name in manifest.jobs:
                claim("background job", name, manifest.key)
            for kind in manifest.records:
                claim("record kind", kind, manifest.key)
            for name in manifest.record_links:
                claim("record link", name, manifest.key)

    def _declared_categories(self) -> set[str]:
        return {code for entry in self.installed for code in entry.manifest.notice_categories}

    # --- Resolving the code the manifests name -------------------------------------------------

    def resolve_code(self) -> None:
        """Import what the manifests name; a missing module or attribute fails here, at start-up."""
        for entry in self.installed:
            manifest = entry.manifest
            if manifest.urls:
                namespace = getattr(resolve(manifest.urls), "app_name", manifest.key)
                if namespace in self.namespaces:
                    raise ImproperlyConfigured(f"the apps {self.namespaces[namespace].key} and {manifest.key} both declare "
                                               f"the URL namespace {namespace!r}")
                self.namespaces[namespace] = manifest
            if manifest.rules:
                for action, rule in resolve(manifest.rules).RULES.items():
                    if action in self.rules:
                        raise ImproperlyConfigured(f"two apps declare an access rule for {action!r} ({manifest.key} is the second)")
                    self.rules[action] = rule
            for action in manifest.actions:
                self._handlers[(f"{manifest.key}.{action.kind}", action.code)] = resolve(action.handler)
            if manifest.badge:
                self.badges[manifest.tab if manifest.tab != "apps" else manifest.key] = resolve(manifest.badge)
            for name, dotted in manifest.step_handlers.items():
                handler = resolve(dotted)
                self.step_handlers[name] = handler() if isinstance(handler, type) else handler
            for kind, dotted in manifest.subject_links.items():
                self.subject_links[kind] = resolve(dotted)
            for name, dotted in manifest.jobs.items():
                self.jobs[name] = resolve(dotted)
            for kind, dotted in manifest.records.items():
                self.records[kind] = resolve(dotted)
            for name, dotted in manifest.record_links.items():
                self.link_offers[name] = resolve(dotted)
            if manifest.processes:
                folder = entry.path / manifest.processes
                self.process_dirs.append(folder)
                for meta in sorted(folder.glob("*.json")):
                    previous = self.process_owner.setdefault(meta.stem, manifest.key)
                    if previous != manifest.key:
                        raise ImproperlyConfigured(f"the apps {previous} and {manifest.key} both ship the process {meta.stem!r}")

    # --- What the platform asks --------------------------------------------------------------

    def url_patterns(self) -> list[Any]:
        """``path(prefix, include(urls))`` per app; the shell's root pages come last."""
        from django.urls import include, path

        mounted = [entry.manifest for entry in self.installed if entry.manifest.urls]
        mounted.sort(key=lambda manifest: manifest.url_prefix == "")
        return [path(manifest.url_prefix, include(manifest.urls)) for manifest in mounted]

    def api_routers(self) -> list[tuple[str, Any]]:
        return [(prefix, resolve(router)) for m in self.apps.values() for prefix, router in m.api.items()]

    def websocket_patterns(self) -> list[Any]:
        from django.urls import path

        return [path(route, resolve(consumer).as_asgi()) for m in self.apps.values() for route, consumer in m.websockets.items()]

    def manifest(self, key: str) -> AppManifest | None:
        return self.apps.get(key)

    def label(self, key: str) -> str:
        manifest = self.apps.get(key)
        return str(manifest.label) if manifest else key

    def tiles(self) -> list[tuple[AppManifest, Tile]]:
        """Every tile, business apps first, each group in ``INSTALLED_APPS`` order."""
        tiles = [(m, tile) for m in self.apps.values() for tile in m.tiles]
        return sorted(tiles, key=lambda pair: pair[1].group != "business")

    def action(self, kind: str, code: str) -> InPlaceAction | None:
        return self.actions.get((kind, code))

    def actions_of(self, kind: str) -> list[InPlaceAction]:
        return [action for (of_kind, _code), action in self.actions.items() if of_kind == kind]

    def action_handler(self, kind: str, code: str) -> Callable[..., Any] | None:
        return self._handlers.get((kind, code))

    def step_handler(self, name: str) -> Any:
        return self.step_handlers.get(name)

    def subject_link(self, subject: str) -> str | None:
        kind, _sep, object_id = subject.partition(":")
        link = self.subject_links.get(kind)
        return link(object_id) if link and object_id else None

    def record(self, user: Any, subject: str) -> Record | None:
        """The record ``"<app>.<kind>:<id>"`` as ``user`` may see it; None if no app declares the kind or they may not."""
        kind, _sep, object_id = subject.partition(":")
        describe = self.records.get(kind)
        return describe(user, object_id) if describe and object_id else None

    def record_links(self, user: Any, kind: str, object_id: Any) -> list[RecordLink]:
        """What the apps offer ``user`` on the page of one record (its discussion group …), in manifest order."""
        offered = (offer(user, kind, str(object_id)) for offer in self.link_offers.values())
        return [link for link in offered if link is not None]

    def owner_of_process(self, key: str) -> str | None:
        return self.process_owner.get(key)

    def tab_of(self, namespace: str, url_name: str | None) -> str:
        """The shell tab a page belongs to; pages of no app's (the back office) belong to 应用."""
        manifest = self.namespaces.get(namespace)
        return manifest.tab_of_page.get(url_name or "", manifest.tab) if manifest else "apps"


_current: Registry | None = None


def load() -> Registry:
    """Collect and check the installed apps' manifests, once models are loaded."""
    global _current
    installed = [Installed(manifest, Path(config.path), config.label) for config in apps.get_app_configs()
                 if isinstance(manifest := getattr(config, "manifest", None), AppManifest)]
    registry = Registry(installed)
    registry.resolve_code()
    _current = registry
    return registry


def current() -> Registry:
    if _current is None:
        raise ImproperlyConfigured("the app registry is read before the apps are ready")
    return _current
