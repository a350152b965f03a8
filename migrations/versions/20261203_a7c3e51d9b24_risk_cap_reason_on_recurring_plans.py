"""risk: the over-cap reason on recurring plans

Revision ID: a7c3e51d9b24
Revises: f1d9e967b9de
Create Date: 2026-12-03 14:40:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = 'a7c3e51d9b24'
down_revision: Union[str, Sequence[str], None] = 'f1d9e967b9de'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('recurring_plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('over_cap_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('recurring_plan', schema=None) as batch_op:
        batch_op.drop_column('over_cap_reason')
