"""series memberships (owner/editor/viewer), installation admins, the activity log, team invitation and
password reset mail kinds

Revision ID: 0013_memberships
Revises: 0004_outbox_render
Create Date: 2026-12-04 18:55:00

Every existing series' organiser becomes its owner. So that an upgraded installation is not
locked out of series nobody owns, the oldest enabled organiser becomes the installation admin
when there is none.
"""
from alembic import op
import sqlalchemy as sa


revision = '0013_memberships'
down_revision = '0004_outbox_render'
branch_labels = None
depends_on = None


KINDS = ['confirmation', 'waitlisted', 'pending', 'promoted', 'seat_offered', 'declined', 'cancelled_by_attendee', 'cancelled_by_organiser', 'session_cancelled', 'rescheduled', 'reminder', 'follow_up_attended', 'follow_up_missed', 'announcement', 'speaker_invitation', 'organiser_message']
NEW_KINDS = ['team_invitation', 'password_reset']


def _kinds_check(kinds):
    listed = ", ".join(f"'{kind}'" for kind in kinds)
    name = op.f('ck_outbox_messages_message_kind')
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite rebuilds the table; the old CHECK goes with the old copy.
        with op.batch_alter_table('outbox_messages', recreate='always') as batch_op:
            batch_op.create_check_constraint(name, sa.text(f"kind IN ({listed})"))
    else:
        op.drop_constraint(name, 'outbox_messages', type_='check')
        op.create_check_constraint(name, 'outbox_messages', sa.text(f"kind IN ({listed})"))


def upgrade():
    _kinds_check(KINDS + NEW_KINDS)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_admin', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table('series_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('owner', 'editor', 'viewer', name='member_role', native_enum=False, create_constraint=True, length=14), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['series_id'], ['series.id'], name=op.f('fk_series_memberships_series_id_series'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_series_memberships_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_series_memberships')),
    sa.UniqueConstraint('series_id', 'user_id', name='one_membership_per_series')
    )
    with op.batch_alter_table('series_memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_series_memberships_series_id'), ['series_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_series_memberships_user_id'), ['user_id'], unique=False)
    op.create_table('member_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('role', sa.Enum('owner', 'editor', 'viewer', name='invitation_role', native_enum=False, create_constraint=True, length=14), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_member_invitations_invited_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['series_id'], ['series.id'], name=op.f('fk_member_invitations_series_id_series'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_invitations')),
    sa.UniqueConstraint('nonce', name=op.f('uq_member_invitations_nonce'))
    )
    with op.batch_alter_table('member_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_invitations_series_id'), ['series_id'], unique=False)
    op.create_table('activity_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_email', sa.String(length=320), nullable=False),
    sa.Column('action', sa.String(length=80), nullable=False),
    sa.Column('target', sa.String(length=300), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_activity_entries_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['series_id'], ['series.id'], name=op.f('fk_activity_entries_series_id_series'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_entries'))
    )
    with op.batch_alter_table('activity_entries', schema=None) as batch_op:
        batch_op.create_index('ix_activity_entries_series_id_id', ['series_id', 'id'], unique=False)
    op.execute(
        "INSERT INTO series_memberships (series_id, user_id, role, created_at, updated_at) "
        "SELECT id, organiser_id, 'owner', created_at, updated_at FROM series "
        "WHERE organiser_id IS NOT NULL"
    )
    op.execute(
        "UPDATE users SET is_admin = TRUE WHERE id = (SELECT MIN(id) FROM users "
        "WHERE role = 'organiser' AND is_enabled) "
        "AND NOT EXISTS (SELECT 1 FROM users WHERE is_admin)"
    )


def downgrade():
    _kinds_check(KINDS)
    op.drop_table('activity_entries')
    op.drop_table('member_invitations')
    with op.batch_alter_table('series_memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_series_memberships_user_id'))
        batch_op.drop_index(batch_op.f('ix_series_memberships_series_id'))
    op.drop_table('series_memberships')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('is_admin')
