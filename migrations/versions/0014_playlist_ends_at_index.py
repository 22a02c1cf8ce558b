"""playlists.ends_at indexed, as notices.ends_at is: both expiry sweeps filter on it

Revision ID: 0014_playlist_ends_at_index
Revises: 0013_playlists
Create Date: 2026-12-07 22:50:00

"""
from alembic import op


revision = '0014_playlist_ends_at_index'
down_revision = '0013_playlists'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(op.f('ix_playlists_ends_at'), 'playlists', ['ends_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_playlists_ends_at'), table_name='playlists')
