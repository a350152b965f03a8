"""standing version, and the index of unclosed hazards in list order

Revision ID: 5a7e2c9b41d3
Revises: 3dcfad01c6c1
Create Date: 2026-11-23 23:40:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '5a7e2c9b41d3'
down_revision: Union[str, Sequence[str], None] = '3dcfad01c6c1'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

UNCLOSED = "state IN ('found', 'issued', 'acknowledged', 'rectifying', 'submitted', 'accepted', 'escalated')"


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('standing_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standing_version'))
    )
    # Lists of the hazards not yet closed walk this index in their order (deadline, id); the
    # figures count from it alone on PostgreSQL.
    op.drop_index('ix_hazard_unclosed', table_name='hazard')
    op.create_index('ix_hazard_unclosed', 'hazard', ['deadline', 'id'], unique=False, postgresql_where=sa.text(UNCLOSED), postgresql_include=['level', 'enterprise_id'], sqlite_where=sa.text(UNCLOSED))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_hazard_unclosed', table_name='hazard')
    op.create_index('ix_hazard_unclosed', 'hazard', ['level', 'deadline'], unique=False, postgresql_where=sa.text(UNCLOSED), postgresql_include=['enterprise_id'], sqlite_where=sa.text(UNCLOSED))
    op.drop_table('standing_version')
