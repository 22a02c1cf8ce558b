"""play log: what each play showed (version, content hash), when it was stored, and the sealed hash chain

Revision ID: 0009_play_log
Revises: 0008_due_jobs
Create Date: 2026-12-02 05:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009_play_log'
down_revision = '0008_due_jobs'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('play_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('content_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True))
    # Plays stored before this revision were stored about when they were played.
    op.execute('UPDATE play_records SET recorded_at = started_at')
    with op.batch_alter_table('play_records', schema=None) as batch_op:
        batch_op.alter_column('recorded_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.create_index('ix_play_records_kiosk_recorded', ['kiosk_id', 'recorded_at'], unique=False)

    op.create_table('play_log_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('plays', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('plays_hash', sa.String(length=64), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('sealed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_play_log_links'))
    )
    with op.batch_alter_table('play_log_links', schema=None) as batch_op:
        batch_op.create_index('ix_play_log_links_kiosk_day', ['kiosk_id', 'day'], unique=True)


def downgrade():
    with op.batch_alter_table('play_log_links', schema=None) as batch_op:
        batch_op.drop_index('ix_play_log_links_kiosk_day')
    op.drop_table('play_log_links')
    with op.batch_alter_table('play_records', schema=None) as batch_op:
        batch_op.drop_index('ix_play_records_kiosk_recorded')
        batch_op.drop_column('recorded_at')
        batch_op.drop_column('content_hash')
        batch_op.drop_column('notice_version')
