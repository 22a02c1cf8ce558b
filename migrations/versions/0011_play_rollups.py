"""play log: one row per play (unique key), hourly roll-ups of old plays, daily figures per screen

Revision ID: 0011_play_rollups
Revises: 0010_uptime
Create Date: 2026-12-02 09:00:00

Duplicates stored before the unique key (two sessions racing on the same `played` batch) are
removed first, keeping the first stored row. A duplicate removed from a day already sealed changes
that day's plays: `flask kiosk verify-log` then names the link, which is the truth (the seal
counted a play twice).
"""
from alembic import op
import sqlalchemy as sa


revision = '0011_play_rollups'
down_revision = '0010_uptime'
branch_labels = None
depends_on = None


def _vn_day(dialect: str) -> str:
    # Viet Nam has kept UTC+7 without daylight saving since 1975, so the day is the UTC time + 7 h.
    if dialect == 'postgresql':
        return "(started_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"
    return "date(started_at, '+7 hours')"


def upgrade():
    bind = op.get_bind()
    op.execute('DELETE FROM play_records WHERE id NOT IN '
               '(SELECT min(id) FROM play_records GROUP BY kiosk_id, started_at, item)')
    with op.batch_alter_table('play_records', schema=None) as batch_op:
        batch_op.drop_index('ix_play_records_kiosk_started')
        batch_op.create_index('ux_play_records_kiosk_started_item', ['kiosk_id', 'started_at', 'item'], unique=True)

    with op.batch_alter_table('play_log_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rolled_up_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('rollup_hash', sa.String(length=64), nullable=True))

    op.create_table('play_rollups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('hour', sa.DateTime(timezone=True), nullable=False),
    sa.Column('item', sa.String(length=32), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=True),
    sa.Column('notice_version', sa.Integer(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.Column('plays', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('first_started', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_started', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rows_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], name=op.f('fk_play_rollups_kiosk_id_kiosks'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_play_rollups'))
    )
    with op.batch_alter_table('play_rollups', schema=None) as batch_op:
        batch_op.create_index('ix_play_rollups_hour', ['hour'], unique=False)
        batch_op.create_index('ix_play_rollups_kiosk_day', ['kiosk_id', 'day'], unique=False)
        batch_op.create_index('ix_play_rollups_notice_hour', ['notice_id', 'hour'], unique=False)

    op.create_table('play_days',
    sa.Column('kiosk_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('plays', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], name=op.f('fk_play_days_kiosk_id_kiosks'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('kiosk_id', 'day', name=op.f('pk_play_days'))
    )
    with op.batch_alter_table('play_days', schema=None) as batch_op:
        batch_op.create_index('ix_play_days_day', ['day'], unique=False)
    # The daily figures of the plays already stored.
    op.execute(f'INSERT INTO play_days (kiosk_id, day, plays, seconds) '
               f'SELECT kiosk_id, {_vn_day(bind.dialect.name)}, count(*), sum(duration_s) FROM play_records '
               f'GROUP BY kiosk_id, {_vn_day(bind.dialect.name)}')


def downgrade():
    with op.batch_alter_table('play_days', schema=None) as batch_op:
        batch_op.drop_index('ix_play_days_day')
    op.drop_table('play_days')
    with op.batch_alter_table('play_rollups', schema=None) as batch_op:
        batch_op.drop_index('ix_play_rollups_notice_hour')
        batch_op.drop_index('ix_play_rollups_kiosk_day')
        batch_op.drop_index('ix_play_rollups_hour')
    op.drop_table('play_rollups')
    with op.batch_alter_table('play_log_links', schema=None) as batch_op:
        batch_op.drop_column('rollup_hash')
        batch_op.drop_column('rolled_up_at')
    with op.batch_alter_table('play_records', schema=None) as batch_op:
        batch_op.drop_index('ux_play_records_kiosk_started_item')
        batch_op.create_index('ix_play_records_kiosk_started', ['kiosk_id', 'started_at'], unique=False)
