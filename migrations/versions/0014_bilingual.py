"""bilingual: languages of readers, registrants and series; Traditional Chinese content fields

Revision ID: 0014_bilingual
Revises: 0013_memberships
Create Date: 2026-12-04 18:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014_bilingual'
down_revision = '0013_memberships'
branch_labels = None
depends_on = None

# (table, column, type) of every Traditional Chinese content field, all NOT NULL DEFAULT ''.
CONTENT = [
    ('series', 'title_zh', sa.String(length=200)),
    ('series', 'summary_zh', sa.Text()),
    ('sessions', 'title_zh', sa.String(length=200)),
    ('sessions', 'abstract_zh', sa.Text()),
    ('speaker_profiles', 'name_zh', sa.String(length=200)),
    ('speaker_profiles', 'short_bio_zh', sa.String(length=500)),
    ('speaker_profiles', 'long_bio_markdown_zh', sa.Text()),
    ('recaps', 'headline_zh', sa.String(length=300)),
    ('recaps', 'lead_zh', sa.Text()),
    ('recaps', 'body_markdown_zh', sa.Text()),
    ('recap_sections', 'heading_zh', sa.String(length=300)),
    ('recap_sections', 'body_markdown_zh', sa.Text()),
    ('recap_quotes', 'text_zh', sa.Text()),
]
LANGUAGE = [('series', 'default_language'), ('registrations', 'language'), ('series_registrations', 'language')]


def upgrade():
    for table, column, type_ in CONTENT:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(column, type_, nullable=False, server_default=''))
    for table, column in LANGUAGE:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(column, sa.String(length=16), nullable=False, server_default='en'))
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('language', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_column('language')
    for table, column in reversed(LANGUAGE):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
    for table, column, _ in reversed(CONTENT):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
