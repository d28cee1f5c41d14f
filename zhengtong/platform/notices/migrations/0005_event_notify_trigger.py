"""On PostgreSQL, every insert into the event log notifies ``zt_events`` (realtime.NOTIFY_CHANNEL).

PostgreSQL delivers a notification when the transaction that sent it commits, and only then,
so the server processes that LISTEN learn of new events without polling and without the writer
sending anything but its INSERT. One notification per statement, however many rows it inserts.
Other databases have nothing to do: without Redis their readers poll.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION notices_event_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('zt_events', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER notices_event_notify AFTER INSERT ON notices_event FOR EACH STATEMENT EXECUTE FUNCTION notices_event_notify();
"""
DROP = """
DROP TRIGGER IF EXISTS notices_event_notify ON notices_event;
DROP FUNCTION IF EXISTS notices_event_notify();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("notices", "0004_event_positions"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP)),
    ]
