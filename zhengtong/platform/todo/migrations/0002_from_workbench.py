"""Bring the entries and integrated applications of the former workbench tables into the to-do list."""

from django.db import migrations

# The in-place actions the sources offered on an open to-do before each entry carried its own.
OFFERED = {"workflow.item": ["approve", "reject"], "documents.delivery": ["receive"]}


def copy_entries(apps, schema_editor):
    OldApplication = apps.get_model("workbench", "Application")
    OldEntry = apps.get_model("workbench", "Entry")
    System = apps.get_model("todo", "IntegratedSystem")
    Entry = apps.get_model("todo", "Entry")
    systems = {}
    for old in OldApplication.objects.all():
        systems[old.pk] = System.objects.create(
            name=old.name, code=old.code, base_url=old.base_url, prefix=old.prefix, secret_hash=old.secret_hash, scopes=old.scopes,
            is_active=old.is_active, created_by_id=old.created_by_id, created_at=old.created_at, last_used_at=old.last_used_at)
    batch = []
    for old in OldEntry.objects.iterator(chunk_size=2000):
        if old.source_kind == "external":
            kind, object_id = "todo.external", f"{old.app}:{old.source_id}"
        elif old.source_kind == "documents.delivery":
            kind, object_id = old.source_kind, old.source_id.split(":", 1)[0]
        else:
            kind, object_id = old.source_kind, old.source_id
        is_open_todo = old.tab == "todo" and old.state == "open"
        batch.append(Entry(
            user_id=old.user_id, app=old.app, kind=kind, object_id=object_id,
            system=systems.get(old.application_id), title=old.title, subtitle=old.subtitle, link=old.link,
            sender_name=old.sender_name, on_behalf_of=old.on_behalf_of, urgency=old.urgency, classification=old.classification,
            tab=old.tab, state=old.state, actions=OFFERED.get(kind, []) if is_open_todo else [], due_at=old.due_at,
            warn_at=old.warn_at, due_sort=old.due_sort, created_at=old.created_at, updated_at=old.updated_at,
            completed_at=old.completed_at, arrival_seen=True))
        if len(batch) >= 2000:
            Entry.objects.bulk_create(batch)
            batch = []
    Entry.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("todo", "0001_initial"), ("workbench", "0001_initial")]
    operations = [migrations.RunPython(copy_entries, migrations.RunPython.noop)]
