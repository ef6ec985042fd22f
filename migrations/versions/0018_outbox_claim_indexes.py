"""outbox: partial indexes for what a claim reads, instead of (status, due_at) over every row

Revision ID: 0018_outbox_claim_indexes
Revises: 0017_seat_counters_in_bulk
Create Date: 2026-12-05 07:00:00

During a burst the worker's claim (`status IN (queued, deferred) … OR lease expired`) was a
bitmap scan of ix_outbox_messages_status_due_at, which held an entry for every status each
sent row had passed through until autovacuum removed them: 0.2 ms a claim growing to 3 ms.
The claim now reads due rows and expired leases separately, each an ordered index scan of a
partial index that only rows still to do enter (mail/models.py, mail/delivery.py).

The predicates are the literal SQL of mail/models.py (DUE_PREDICATE, …), repeated here so this
migration keeps meaning what it meant when the model changes.
"""
from alembic import op
import sqlalchemy as sa


revision = '0018_outbox_claim_indexes'
down_revision = '0017_seat_counters_in_bulk'
branch_labels = None
depends_on = None

DUE = "status IN ('queued', 'deferred')"
LEASED = "status = 'sending'"
FAILED = "status = 'failed'"


def _partial(name: str, columns: list[str], predicate: str) -> None:
    op.create_index(
        name,
        'outbox_messages',
        columns,
        unique=False,
        postgresql_where=sa.text(predicate),
        sqlite_where=sa.text(predicate),
    )


def upgrade():
    _partial('ix_outbox_messages_due', ['due_at', 'id'], DUE)
    _partial('ix_outbox_messages_leased', ['claimed_at', 'id'], LEASED)
    _partial('ix_outbox_messages_failed', ['due_at'], FAILED)
    op.drop_index('ix_outbox_messages_status_due_at', table_name='outbox_messages')


def downgrade():
    op.create_index(
        'ix_outbox_messages_status_due_at', 'outbox_messages', ['status', 'due_at'], unique=False
    )
    for name in ('failed', 'leased', 'due'):
        op.drop_index(f'ix_outbox_messages_{name}', table_name='outbox_messages')
