"""seat counters: sessions.seats_held and sessions.waitlisted_count, kept by triggers

Revision ID: 0017_seat_counters
Revises: 0015_second_factor_and_tokens
Create Date: 2026-12-04 21:40:00

The registration POST decides a seat from two numbers on the session row it locks, instead of
counting registrations in a separate statement under the lock. Triggers on `registrations`
keep the numbers equal to the counts whatever changes a status (services, the organiser's
tools, imports, cascading deletes), on PostgreSQL and on SQLite.

On SQLite a later migration that rebuilds `registrations` in batch mode (copy and move) drops
these triggers with the old table: such a migration must create them again.
"""
from alembic import op
import sqlalchemy as sa


revision = '0017_seat_counters'
down_revision = '0015_second_factor_and_tokens'
branch_labels = None
depends_on = None

HOLDING = "('confirmed', 'offered', 'pending')"

POSTGRES_FUNCTION = f"""
CREATE FUNCTION registrations_count_seats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF OLD.status IN {HOLDING} OR OLD.status = 'waitlisted' THEN
            UPDATE sessions SET
                seats_held = seats_held - (OLD.status IN {HOLDING})::int,
                waitlisted_count = waitlisted_count - (OLD.status = 'waitlisted')::int
            WHERE id = OLD.session_id;
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        IF NEW.status IN {HOLDING} OR NEW.status = 'waitlisted' THEN
            UPDATE sessions SET
                seats_held = seats_held + (NEW.status IN {HOLDING})::int,
                waitlisted_count = waitlisted_count + (NEW.status = 'waitlisted')::int
            WHERE id = NEW.session_id;
        END IF;
    END IF;
    RETURN NULL;
END
$$
"""

POSTGRES_TRIGGERS = [
    "CREATE TRIGGER registrations_count_seats_insert_delete AFTER INSERT OR DELETE "
    "ON registrations FOR EACH ROW EXECUTE FUNCTION registrations_count_seats()",
    # Only a real change of status or session moves a count (the ORM may rewrite the same value).
    "CREATE TRIGGER registrations_count_seats_update AFTER UPDATE OF status, session_id "
    "ON registrations FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status "
    "OR OLD.session_id IS DISTINCT FROM NEW.session_id) "
    "EXECUTE FUNCTION registrations_count_seats()",
]


def _sqlite_change(row: str, sign: str) -> str:
    return (
        f"UPDATE sessions SET seats_held = seats_held {sign} ({row}.status IN {HOLDING}), "
        f"waitlisted_count = waitlisted_count {sign} ({row}.status = 'waitlisted') "
        f"WHERE id = {row}.session_id AND ({row}.status IN {HOLDING} "
        f"OR {row}.status = 'waitlisted');"
    )


SQLITE_TRIGGERS = [
    "CREATE TRIGGER registrations_count_seats_insert AFTER INSERT ON registrations "
    f"BEGIN {_sqlite_change('NEW', '+')} END",
    "CREATE TRIGGER registrations_count_seats_delete AFTER DELETE ON registrations "
    f"BEGIN {_sqlite_change('OLD', '-')} END",
    "CREATE TRIGGER registrations_count_seats_update AFTER UPDATE OF status, session_id "
    "ON registrations WHEN OLD.status IS NOT NEW.status OR OLD.session_id IS NOT NEW.session_id "
    f"BEGIN {_sqlite_change('OLD', '-')} {_sqlite_change('NEW', '+')} END",
]

BACKFILL = f"""
UPDATE sessions SET
    seats_held = (SELECT count(*) FROM registrations r
                  WHERE r.session_id = sessions.id AND r.status IN {HOLDING}),
    waitlisted_count = (SELECT count(*) FROM registrations r
                        WHERE r.session_id = sessions.id AND r.status = 'waitlisted')
"""


def upgrade():
    with op.batch_alter_table('sessions') as batch:
        batch.add_column(sa.Column('seats_held', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(
            sa.Column('waitlisted_count', sa.Integer(), nullable=False, server_default='0')
        )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(POSTGRES_FUNCTION)
        for statement in POSTGRES_TRIGGERS:
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
    op.execute(BACKFILL)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER registrations_count_seats_update ON registrations')
        op.execute('DROP TRIGGER registrations_count_seats_insert_delete ON registrations')
        op.execute('DROP FUNCTION registrations_count_seats()')
    else:
        for name in ('insert', 'delete', 'update'):
            op.execute(f'DROP TRIGGER registrations_count_seats_{name}')
    with op.batch_alter_table('sessions') as batch:
        batch.drop_column('waitlisted_count')
        batch.drop_column('seats_held')
