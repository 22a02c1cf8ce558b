"""alert units: an alert's area one row per unit, so lists filter alerts by scope in SQL

Revision ID: 0007_alert_units
Revises: 0006_session_generation
Create Date: 2026-12-02 04:20:00.000000

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_alert_units'
down_revision = '0006_session_generation'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table('alert_units',
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_alert_units_alert_id_alerts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('alert_id', 'unit_code', name=op.f('pk_alert_units'))
    )
    with op.batch_alter_table('alert_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_units_unit_code'), ['unit_code'], unique=False)

    # Every alert raised so far gets its rows from its JSON area.
    rows = op.get_bind().execute(sa.text('SELECT id, unit_codes FROM alerts')).all()
    areas = []
    for alert_id, codes in rows:
        codes = json.loads(codes) if isinstance(codes, str) else (codes or [])
        areas += [{'alert_id': alert_id, 'unit_code': code} for code in dict.fromkeys(codes)]
    if areas:
        op.bulk_insert(table, areas)


def downgrade():
    with op.batch_alter_table('alert_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_units_unit_code'))
    op.drop_table('alert_units')
