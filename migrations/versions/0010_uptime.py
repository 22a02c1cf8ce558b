"""uptime: screens' stretches of connection, and QR scans per code and day

Revision ID: 0010_uptime
Revises: 0009_play_log
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010_uptime'
down_revision = '0009_play_log'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kiosk_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_heard_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], name=op.f('fk_kiosk_sessions_kiosk_id_kiosks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosk_sessions'))
    )
    with op.batch_alter_table('kiosk_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_kiosk_sessions_kiosk_started', ['kiosk_id', 'started_at'], unique=False)
        batch_op.create_index('ix_kiosk_sessions_open', ['kiosk_id'], unique=True,
                              sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))

    op.create_table('qr_scan_days',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('scans', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['code'], ['qr_codes.code'], name=op.f('fk_qr_scan_days_code_qr_codes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('code', 'day', name=op.f('pk_qr_scan_days'))
    )
    with op.batch_alter_table('qr_scan_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qr_scan_days_day'), ['day'], unique=False)


def downgrade():
    with op.batch_alter_table('qr_scan_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qr_scan_days_day'))
    op.drop_table('qr_scan_days')
    with op.batch_alter_table('kiosk_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_kiosk_sessions_open', sqlite_where=sa.text('ended_at IS NULL'),
                            postgresql_where=sa.text('ended_at IS NULL'))
        batch_op.drop_index('ix_kiosk_sessions_kiosk_started')
    op.drop_table('kiosk_sessions')
