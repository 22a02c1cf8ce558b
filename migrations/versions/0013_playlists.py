"""playlists: programmes of notices and media, their revisions, targets and members

Revision ID: 0013_playlists
Revises: 0012_sources
Create Date: 2026-12-02 08:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013_playlists'
down_revision = '0012_sources'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('playlists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=16), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('published_version', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_playlists_approved_by_id_users')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_playlists_author_id_users')),
    sa.ForeignKeyConstraint(['unit_code'], ['units.code'], name=op.f('fk_playlists_unit_code_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_playlists'))
    )
    with op.batch_alter_table('playlists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_playlists_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_playlists_unit_code'), ['unit_code'], unique=False)

    op.create_table('playlist_members',
    sa.Column('playlist_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=True),
    sa.Column('media_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['media_id'], ['media.id'], name=op.f('fk_playlist_members_media_id_media')),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_playlist_members_notice_id_notices'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['playlist_id'], ['playlists.id'], name=op.f('fk_playlist_members_playlist_id_playlists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('playlist_id', 'slot', 'position', name=op.f('pk_playlist_members'))
    )
    with op.batch_alter_table('playlist_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_playlist_members_media_id'), ['media_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_playlist_members_notice_id'), ['notice_id'], unique=False)

    op.create_table('playlist_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('playlist_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_playlist_revisions_created_by_id_users')),
    sa.ForeignKeyConstraint(['playlist_id'], ['playlists.id'], name=op.f('fk_playlist_revisions_playlist_id_playlists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_playlist_revisions'))
    )
    with op.batch_alter_table('playlist_revisions', schema=None) as batch_op:
        batch_op.create_index('ix_playlist_revisions_playlist_version', ['playlist_id', 'version'], unique=True)

    op.create_table('playlist_targets',
    sa.Column('playlist_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('ref', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['playlist_id'], ['playlists.id'], name=op.f('fk_playlist_targets_playlist_id_playlists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('playlist_id', 'kind', 'ref', name=op.f('pk_playlist_targets'))
    )
    with op.batch_alter_table('playlist_targets', schema=None) as batch_op:
        batch_op.create_index('ix_playlist_targets_kind_ref', ['kind', 'ref'], unique=False)



def downgrade():
    with op.batch_alter_table('playlist_targets', schema=None) as batch_op:
        batch_op.drop_index('ix_playlist_targets_kind_ref')

    op.drop_table('playlist_targets')
    with op.batch_alter_table('playlist_revisions', schema=None) as batch_op:
        batch_op.drop_index('ix_playlist_revisions_playlist_version')

    op.drop_table('playlist_revisions')
    with op.batch_alter_table('playlist_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_playlist_members_notice_id'))
        batch_op.drop_index(batch_op.f('ix_playlist_members_media_id'))

    op.drop_table('playlist_members')
    with op.batch_alter_table('playlists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_playlists_unit_code'))
        batch_op.drop_index(batch_op.f('ix_playlists_status'))

    op.drop_table('playlists')
