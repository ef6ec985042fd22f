"""seat counters on PostgreSQL: statement-level triggers (a bulk insert updates each session once)

Revision ID: 0017_seat_counters_in_bulk
Revises: 0017_seat_counters
Create Date: 2026-12-04 22:50:00

With a row-level trigger, inserting 50,000 registrations of one session in one statement
updated that session's row 50,000 times in one transaction; PostgreSQL cannot prune the row
versions of a running transaction, so every update walked a longer chain (minutes instead of
seconds). Statement-level triggers with transition tables add up each statement's changes per
session and update each session once. SQLite keeps its row-level triggers (no such cost there).
"""
from alembic import op


revision = '0017_seat_counters_in_bulk'
down_revision = '0017_seat_counters'
branch_labels = None
depends_on = None

HOLDING = "('confirmed', 'offered', 'pending')"


def _deltas(table: str, sign: str) -> str:
    return (
        f"SELECT session_id, {sign}count(*) FILTER (WHERE status IN {HOLDING}) AS held, "
        f"{sign}count(*) FILTER (WHERE status = 'waitlisted') AS waiting "
        f"FROM {table} GROUP BY session_id"
    )


def _apply(source: str) -> str:
    return f"""
        UPDATE sessions SET
            seats_held = sessions.seats_held + d.held,
            waitlisted_count = sessions.waitlisted_count + d.waiting
        FROM (
            SELECT session_id, sum(held) AS held, sum(waiting) AS waiting
            FROM ({source}) AS changes GROUP BY session_id
        ) AS d
        WHERE sessions.id = d.session_id AND (d.held <> 0 OR d.waiting <> 0);
    """


FUNCTION = f"""
CREATE FUNCTION registrations_count_seats_in_bulk() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_apply(_deltas('new_rows', ''))}
    ELSIF TG_OP = 'DELETE' THEN
        {_apply(_deltas('old_rows', '-'))}
    ELSE
        {_apply(_deltas('new_rows', '') + ' UNION ALL ' + _deltas('old_rows', '-'))}
    END IF;
    RETURN NULL;
END
$$
"""

TRIGGERS = [
    "CREATE TRIGGER registrations_count_seats_insert AFTER INSERT ON registrations "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION registrations_count_seats_in_bulk()",
    "CREATE TRIGGER registrations_count_seats_delete AFTER DELETE ON registrations "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION registrations_count_seats_in_bulk()",
    # Transition tables allow no column list: every UPDATE statement fires it; one whose rows
    # keep their status and session adds up to nothing and updates no session.
    "CREATE TRIGGER registrations_count_seats_update AFTER UPDATE ON registrations "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION registrations_count_seats_in_bulk()",
]

ROW_TRIGGERS = [
    "CREATE TRIGGER registrations_count_seats_insert_delete AFTER INSERT OR DELETE "
    "ON registrations FOR EACH ROW EXECUTE FUNCTION registrations_count_seats()",
    "CREATE TRIGGER registrations_count_seats_update AFTER UPDATE OF status, session_id "
    "ON registrations FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status "
    "OR OLD.session_id IS DISTINCT FROM NEW.session_id) "
    "EXECUTE FUNCTION registrations_count_seats()",
]


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('DROP TRIGGER registrations_count_seats_update ON registrations')
    op.execute('DROP TRIGGER registrations_count_seats_insert_delete ON registrations')
    op.execute(FUNCTION)
    for statement in TRIGGERS:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for name in ('insert', 'delete', 'update'):
        op.execute(f'DROP TRIGGER registrations_count_seats_{name} ON registrations')
    op.execute('DROP FUNCTION registrations_count_seats_in_bulk()')
    for statement in ROW_TRIGGERS:
        op.execute(statement)
