"""sources.set_by: who last set each field that decides what a source brings (its authors, with its creator)

Revision ID: 0015_source_authors
Revises: 0014_playlist_ends_at_index
Create Date: 2026-12-08 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015_source_authors'
down_revision = '0014_playlist_ends_at_index'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sources') as batch_op:
        batch_op.add_column(sa.Column('set_by', sa.JSON(), nullable=False, server_default='{}'))


def downgrade():
    with op.batch_alter_table('sources') as batch_op:
        batch_op.drop_column('set_by')
