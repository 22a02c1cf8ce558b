"""due jobs: time-based work stored in the database, claimed by any live process

Revision ID: 0008_due_jobs
Revises: 0007_alert_units
Create Date: 2026-12-02 04:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008_due_jobs'
down_revision = '0007_alert_units'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('due_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_due_jobs'))
    )
    with op.batch_alter_table('due_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_due_jobs_due_at'), ['due_at'], unique=False)


def downgrade():
    with op.batch_alter_table('due_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_due_jobs_due_at'))
    op.drop_table('due_jobs')
