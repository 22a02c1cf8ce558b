"""sources: upstream CAP and RSS/Atom feeds and the items taken from them

Revision ID: 0012_sources
Revises: 0011_play_rollups
Create Date: 2026-12-02 08:45:34.397909

"""
from alembic import op
import sqlalchemy as sa


revision = '0012_sources'
down_revision = '0011_play_rollups'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('url', sa.String(length=1000), nullable=False),
    sa.Column('unit_code', sa.String(length=16), nullable=False),
    sa.Column('targets', sa.JSON(), nullable=False),
    sa.Column('poll_seconds', sa.Integer(), nullable=False),
    sa.Column('bulletin_class', sa.String(length=16), nullable=False),
    sa.Column('auto_publish', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('trusted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('poll_generation', sa.Integer(), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_poll_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_polled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('items_taken', sa.Integer(), nullable=False),
    sa.Column('etag', sa.String(length=200), nullable=False),
    sa.Column('last_modified', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_sources_agent_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_sources_created_by_id_users')),
    sa.ForeignKeyConstraint(['trusted_by_id'], ['users.id'], name=op.f('fk_sources_trusted_by_id_users')),
    sa.ForeignKeyConstraint(['unit_code'], ['units.code'], name=op.f('fk_sources_unit_code_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sources'))
    )
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sources_unit_code'), ['unit_code'], unique=False)

    op.create_table('source_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=500), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('link', sa.String(length=1000), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=True),
    sa.Column('alert_id', sa.Integer(), nullable=True),
    sa.Column('document', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_source_items_alert_id_alerts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_source_items_notice_id_notices'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_source_items_source_id_sources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source_items'))
    )
    with op.batch_alter_table('source_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_items_notice_id'), ['notice_id'], unique=False)
        batch_op.create_index('ix_source_items_source_key', ['source_id', 'key'], unique=True)




def downgrade():

    with op.batch_alter_table('source_items', schema=None) as batch_op:
        batch_op.drop_index('ix_source_items_source_key')
        batch_op.drop_index(batch_op.f('ix_source_items_notice_id'))

    op.drop_table('source_items')
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sources_unit_code'))

    op.drop_table('sources')
