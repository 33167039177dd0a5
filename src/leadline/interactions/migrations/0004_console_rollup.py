"""The Interactions console at a million: a per-day rollup kept by triggers, the lead's
first interaction, and substring search indexes.

Written by hand because most of it is per-database SQL:

- `InteractionDayCount` is kept by triggers on the interactions table, so every write
  (services, bulk loads, the admin, cascades) keeps it exact. SQLite: row triggers.
  PostgreSQL: statement triggers with transition tables, so a COPY of 2,000 rows is one
  grouped upsert, and an update that moves no count (a message on the same day) writes
  nothing.
- `Interaction.first_of_lead` is added with a database default of true, so existing rows
  need no rewrite (on PostgreSQL 11+ and SQLite adding such a column is instant); then
  the rows that are not their lead's lowest id are set back to false.
- Search: an FTS5 trigram table over the lead's name and phone on SQLite (kept by
  triggers, external content), `pg_trgm` GIN indexes on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

T = "interactions_interaction"
R = "interactions_interactiondaycount"
S = "interactions_search"
KEY = "company_id, day, goal, channel, record_type, status"

SQLITE_ROLLUP = [
    f"""
    CREATE TRIGGER interaction_day_count_insert AFTER INSERT ON {T}
    BEGIN
        INSERT INTO {R} ({KEY}, conversations, replied)
        VALUES (NEW.company_id, date(NEW.last_activity_at), NEW.goal, NEW.channel,
                NEW.record_type, NEW.status, 1, NEW.inbound_count > 0)
        ON CONFLICT ({KEY}) DO UPDATE SET
            conversations = conversations + 1, replied = replied + excluded.replied;
    END
    """,
    f"""
    CREATE TRIGGER interaction_day_count_delete AFTER DELETE ON {T}
    BEGIN
        UPDATE {R} SET conversations = conversations - 1,
                       replied = replied - (OLD.inbound_count > 0)
        WHERE company_id = OLD.company_id AND day = date(OLD.last_activity_at)
          AND goal = OLD.goal AND channel = OLD.channel
          AND record_type = OLD.record_type AND status = OLD.status;
    END
    """,
    f"""
    CREATE TRIGGER interaction_day_count_update
    AFTER UPDATE OF company_id, last_activity_at, goal, channel, record_type, status,
                    inbound_count ON {T}
    WHEN OLD.company_id IS NOT NEW.company_id
      OR date(OLD.last_activity_at) IS NOT date(NEW.last_activity_at)
      OR OLD.goal IS NOT NEW.goal OR OLD.channel IS NOT NEW.channel
      OR OLD.record_type IS NOT NEW.record_type OR OLD.status IS NOT NEW.status
      OR (OLD.inbound_count > 0) IS NOT (NEW.inbound_count > 0)
    BEGIN
        UPDATE {R} SET conversations = conversations - 1,
                       replied = replied - (OLD.inbound_count > 0)
        WHERE company_id = OLD.company_id AND day = date(OLD.last_activity_at)
          AND goal = OLD.goal AND channel = OLD.channel
          AND record_type = OLD.record_type AND status = OLD.status;
        INSERT INTO {R} ({KEY}, conversations, replied)
        VALUES (NEW.company_id, date(NEW.last_activity_at), NEW.goal, NEW.channel,
                NEW.record_type, NEW.status, 1, NEW.inbound_count > 0)
        ON CONFLICT ({KEY}) DO UPDATE SET
            conversations = conversations + 1, replied = replied + excluded.replied;
    END
    """,
]
SQLITE_ROLLUP_FILL = f"""
    INSERT INTO {R} ({KEY}, conversations, replied)
    SELECT company_id, date(last_activity_at), goal, channel, record_type, status,
           COUNT(*), SUM(inbound_count > 0)
    FROM {T} GROUP BY 1, 2, 3, 4, 5, 6
"""
SQLITE_ROLLUP_DROP = [
    "DROP TRIGGER IF EXISTS interaction_day_count_insert",
    "DROP TRIGGER IF EXISTS interaction_day_count_delete",
    "DROP TRIGGER IF EXISTS interaction_day_count_update",
]

SQLITE_SEARCH = [
    f"""
    CREATE VIRTUAL TABLE {S} USING fts5(
        lead_name, lead_phone, content='{T}', content_rowid='id', tokenize='trigram'
    )
    """,
    f"""
    CREATE TRIGGER interaction_search_insert AFTER INSERT ON {T}
    BEGIN
        INSERT INTO {S} (rowid, lead_name, lead_phone)
        VALUES (NEW.id, NEW.lead_name, NEW.lead_phone);
    END
    """,
    f"""
    CREATE TRIGGER interaction_search_delete AFTER DELETE ON {T}
    BEGIN
        INSERT INTO {S} ({S}, rowid, lead_name, lead_phone)
        VALUES ('delete', OLD.id, OLD.lead_name, OLD.lead_phone);
    END
    """,
    f"""
    CREATE TRIGGER interaction_search_update AFTER UPDATE OF lead_name, lead_phone ON {T}
    WHEN OLD.lead_name IS NOT NEW.lead_name OR OLD.lead_phone IS NOT NEW.lead_phone
    BEGIN
        INSERT INTO {S} ({S}, rowid, lead_name, lead_phone)
        VALUES ('delete', OLD.id, OLD.lead_name, OLD.lead_phone);
        INSERT INTO {S} (rowid, lead_name, lead_phone)
        VALUES (NEW.id, NEW.lead_name, NEW.lead_phone);
    END
    """,
    f"INSERT INTO {S} ({S}) VALUES ('rebuild')",
]
SQLITE_SEARCH_DROP = [
    "DROP TRIGGER IF EXISTS interaction_search_insert",
    "DROP TRIGGER IF EXISTS interaction_search_delete",
    "DROP TRIGGER IF EXISTS interaction_search_update",
    f"DROP TABLE IF EXISTS {S}",
]

_PG_DELTA = """
    INSERT INTO {R} AS c ({KEY}, conversations, replied)
    SELECT company_id, day, goal, channel, record_type, status, SUM(n), SUM(r)
    FROM ({rows}) AS delta
    GROUP BY 1, 2, 3, 4, 5, 6
    HAVING SUM(n) <> 0 OR SUM(r) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT ({KEY}) DO UPDATE SET
        conversations = c.conversations + excluded.conversations,
        replied = c.replied + excluded.replied
"""
_PG_ROWS = (
    "SELECT company_id, (last_activity_at AT TIME ZONE 'UTC')::date AS day, goal, channel, "
    "record_type, status, {sign} AS n, {sign} * (inbound_count > 0)::int AS r FROM {table}"
)
_NEW = _PG_ROWS.format(sign=1, table="new_rows")
_OLD = _PG_ROWS.format(sign=-1, table="old_rows")
POSTGRES_ROLLUP = [
    f"""
    CREATE FUNCTION interaction_day_count_apply() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- Grouped and ordered, so one statement takes its rollup rows in key order.
        IF TG_OP = 'INSERT' THEN
            {_PG_DELTA.format(R=R, KEY=KEY, rows=_NEW)};
        ELSIF TG_OP = 'DELETE' THEN
            {_PG_DELTA.format(R=R, KEY=KEY, rows=_OLD)};
        ELSE
            {_PG_DELTA.format(R=R, KEY=KEY, rows=_NEW + " UNION ALL " + _OLD)};
        END IF;
        RETURN NULL;
    END
    $$
    """,
    f"""
    CREATE TRIGGER interaction_day_count_insert AFTER INSERT ON {T}
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION interaction_day_count_apply()
    """,
    f"""
    CREATE TRIGGER interaction_day_count_update AFTER UPDATE ON {T}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION interaction_day_count_apply()
    """,
    f"""
    CREATE TRIGGER interaction_day_count_delete AFTER DELETE ON {T}
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION interaction_day_count_apply()
    """,
]
POSTGRES_ROLLUP_FILL = f"""
    INSERT INTO {R} ({KEY}, conversations, replied)
    SELECT company_id, (last_activity_at AT TIME ZONE 'UTC')::date, goal, channel,
           record_type, status, COUNT(*), COUNT(*) FILTER (WHERE inbound_count > 0)
    FROM {T} GROUP BY 1, 2, 3, 4, 5, 6
"""
POSTGRES_ROLLUP_DROP = [
    f"DROP TRIGGER IF EXISTS interaction_day_count_insert ON {T}",
    f"DROP TRIGGER IF EXISTS interaction_day_count_update ON {T}",
    f"DROP TRIGGER IF EXISTS interaction_day_count_delete ON {T}",
    "DROP FUNCTION IF EXISTS interaction_day_count_apply()",
]
# The expressions are the ones Django writes for icontains and contains on PostgreSQL.
POSTGRES_SEARCH = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX ix_search_name ON {T} USING gin (UPPER(lead_name::text) gin_trgm_ops)",
    f"CREATE INDEX ix_search_phone ON {T} USING gin ((lead_phone::text) gin_trgm_ops)",
]
POSTGRES_SEARCH_DROP = [
    "DROP INDEX IF EXISTS ix_search_name",
    "DROP INDEX IF EXISTS ix_search_phone",
]

# The lowest id of each lead is its first interaction; the column's default made every
# existing row one, so only the others (rare) are written.
NOT_FIRST = f"""
    UPDATE {T} SET first_of_lead = {{false}}
    WHERE EXISTS (
        SELECT 1 FROM {T} AS earlier WHERE earlier.lead_id = {T}.lead_id AND earlier.id < {T}.id
    )
"""


def _run(schema_editor: Any, statements: list[str]) -> None:
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def add_first_of_lead(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    false = "false" if vendor == "postgresql" else "0"
    true = "true" if vendor == "postgresql" else "1"
    _run(
        schema_editor,
        [
            f"ALTER TABLE {T} ADD COLUMN first_of_lead boolean NOT NULL DEFAULT {true}",
            NOT_FIRST.format(false=false),
        ],
    )
    if vendor == "postgresql":
        # New rows get the model's default (false) from Django; the database keeps none.
        _run(schema_editor, [f"ALTER TABLE {T} ALTER COLUMN first_of_lead DROP DEFAULT"])


def drop_first_of_lead(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, [f"ALTER TABLE {T} DROP COLUMN first_of_lead"])


def add_triggers(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        _run(schema_editor, [*POSTGRES_ROLLUP, POSTGRES_ROLLUP_FILL, *POSTGRES_SEARCH])
        _run(schema_editor, [f"ANALYZE {T}", f"ANALYZE {R}"])
    else:
        _run(schema_editor, [*SQLITE_ROLLUP, SQLITE_ROLLUP_FILL, *SQLITE_SEARCH])
        # Statistics for the new indexes, from a sample (a full ANALYZE reads every row).
        _run(
            schema_editor,
            [
                "PRAGMA analysis_limit = 1000",
                f"ANALYZE {T}",
                f"ANALYZE {R}",
                "PRAGMA analysis_limit = 0",
            ],
        )


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        _run(schema_editor, [*POSTGRES_ROLLUP_DROP, *POSTGRES_SEARCH_DROP])
    else:
        _run(schema_editor, [*SQLITE_ROLLUP_DROP, *SQLITE_SEARCH_DROP])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("interactions", "0003_console_speed"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="interaction",
                    name="first_of_lead",
                    field=models.BooleanField(default=False),
                )
            ],
            database_operations=[migrations.RunPython(add_first_of_lead, drop_first_of_lead)],
        ),
        migrations.AddIndex(
            model_name="interaction",
            index=models.Index(
                condition=models.Q(first_of_lead=False),
                fields=["company", "last_activity_at"],
                name="ix_not_first",
            ),
        ),
        migrations.AddConstraint(
            model_name="interaction",
            constraint=models.UniqueConstraint(
                condition=models.Q(first_of_lead=True),
                fields=("lead",),
                name="one_first_per_lead",
            ),
        ),
        migrations.CreateModel(
            name="InteractionDayCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("goal", models.CharField(max_length=20)),
                ("channel", models.CharField(max_length=10)),
                ("record_type", models.CharField(max_length=12)),
                ("status", models.CharField(max_length=32)),
                ("conversations", models.IntegerField(default=0)),
                ("replied", models.IntegerField(default=0)),
                (
                    "company",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.company",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("company", "day", "goal", "channel", "record_type", "status"),
                        name="interaction_day_count_key",
                    )
                ],
            },
        ),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
