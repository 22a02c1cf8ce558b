"""play_log_links.figures (sealed with the roll-up digest), play_log_checkpoints for incremental verify-log

Revision ID: 0016_sealed_figures
Revises: 0015_source_authors
Create Date: 2026-12-08 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0016_sealed_figures'
down_revision = '0015_source_authors'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('play_log_links') as batch_op:
        batch_op.add_column(sa.Column('figures', sa.Text(), nullable=True))
    op.create_table(
        'play_log_checkpoints',
        sa.Column('kiosk_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.Column('verified_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('kiosk_id', name=op.f('pk_play_log_checkpoints')),
    )

def downgrade():
    op.drop_table('play_log_checkpoints')
    with op.batch_alter_table('play_log_links') as batch_op:
        batch_op.drop_column('figures')
