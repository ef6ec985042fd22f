"""sessions.calendar_uid: a random, stable half of each session's iCalendar UID

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 18:45:00

"""
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("calendar_uid", sa.String(length=36), nullable=True))
    sessions = sa.table("sessions", sa.column("id", sa.Integer), sa.column("calendar_uid"))
    connection = op.get_bind()
    for (session_id,) in connection.execute(sa.select(sessions.c.id)).all():
        connection.execute(
            sessions.update()
            .where(sessions.c.id == session_id)
            .values(calendar_uid=str(uuid.uuid4()))
        )
    with op.batch_alter_table("sessions") as batch:
        batch.alter_column("calendar_uid", existing_type=sa.String(length=36), nullable=False)
        batch.create_unique_constraint(batch.f("uq_sessions_calendar_uid"), ["calendar_uid"])


def downgrade():
    with op.batch_alter_table("sessions") as batch:
        batch.drop_constraint(batch.f("uq_sessions_calendar_uid"), type_="unique")
        batch.drop_column("calendar_uid")
