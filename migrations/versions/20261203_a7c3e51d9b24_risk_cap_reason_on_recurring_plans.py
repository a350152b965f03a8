"""risk: the over-cap reason on recurring plans; hazards by enterprise carry what grading counts; warnings in order

Revision ID: a7c3e51d9b24
Revises: e4e23d550412
Create Date: 2026-12-03 14:40:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = 'a7c3e51d9b24'
down_revision: Union[str, Sequence[str], None] = 'e4e23d550412'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('recurring_plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('over_cap_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
    with op.batch_alter_table('hazard', schema=None) as batch_op:
        batch_op.drop_index('ix_hazard_enterprise_state')
        batch_op.create_index(
            'ix_hazard_enterprise_risk',
            ['enterprise_id', 'state'],
            unique=False,
            postgresql_include=['level', 'deadline', 'found_at', 'closed_at', 'closed_on_time', 'repeat_of_id', 'supervision_level', 'delisted_at'],
        )
    with op.batch_alter_table('risk_warning', schema=None) as batch_op:
        batch_op.create_index('ix_risk_warning_park_raised_id', ['park_id', 'raised_at', 'id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('risk_warning', schema=None) as batch_op:
        batch_op.drop_index('ix_risk_warning_park_raised_id')
    with op.batch_alter_table('hazard', schema=None) as batch_op:
        batch_op.drop_index('ix_hazard_enterprise_risk')
        batch_op.create_index('ix_hazard_enterprise_state', ['enterprise_id', 'state'], unique=False)
    with op.batch_alter_table('recurring_plan', schema=None) as batch_op:
        batch_op.drop_column('over_cap_reason')
