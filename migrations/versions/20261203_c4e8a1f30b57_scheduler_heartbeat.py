"""The scheduler's heartbeat, for /healthz?scheduler=1 on any app server

Revision ID: c4e8a1f30b57
Revises: 0b937a0a8282
Create Date: 2026-12-03 12:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import inspection.db


# revision identifiers, used by Alembic.
revision: str = 'c4e8a1f30b57'
down_revision: Union[str, Sequence[str], None] = '0b937a0a8282'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('scheduler_heartbeat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('beat_at', inspection.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('host', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('scheduler_heartbeat')
