"""session generation: a counter on each officer that ends every session when it moves

Revision ID: 0006_session_generation
Revises: 0005_citizens
Create Date: 2026-12-02 04:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_session_generation'
down_revision = '0005_citizens'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (SQLite has it): batch mode would copy and drop `users`, which the foreign
    # keys of tokens, notices and audit refuse while they are on.
    op.add_column('users', sa.Column('session_generation', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    op.drop_column('users', 'session_generation')  # SQLite 3.35+ drops a column in place
