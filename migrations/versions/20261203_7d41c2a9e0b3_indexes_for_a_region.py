"""Indexes for a region: its lists of unclosed hazards across parks, its figures by dimension,
and the reminder sweep's due hazards per park

Revision ID: 7d41c2a9e0b3
Revises: 5871af87d718
Create Date: 2026-12-03 12:10:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '7d41c2a9e0b3'
down_revision: Union[str, Sequence[str], None] = '5871af87d718'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

UNCLOSED = "state IN ('found', 'issued', 'acknowledged', 'rectifying', 'submitted', 'accepted', 'escalated')"
OPEN_DEADLINE = "state IN ('issued', 'acknowledged', 'rectifying')"
TALLY_INCLUDE = ['park_id', 'key', 'level', 'found', 'closed', 'closed_on_time', 'close_days', 'funding_yuan']
OLD_DUE_INCLUDE = ['enterprise_id', 'assigned_inspector_id', 'found_by_id', 'number', 'title']


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index('ix_hazard_unclosed_deadline', 'hazard', ['deadline', 'id'], unique=False, postgresql_where=sa.text(UNCLOSED), sqlite_where=sa.text(UNCLOSED), postgresql_include=['park_id', 'level', 'enterprise_id'])
    op.drop_index('ix_hazard_open_deadline', table_name='hazard')
    op.create_index('ix_hazard_open_deadline', 'hazard', ['park_id', 'level', 'deadline'], unique=False, postgresql_where=sa.text(OPEN_DEADLINE), sqlite_where=sa.text(OPEN_DEADLINE), postgresql_include=[*OLD_DUE_INCLUDE, 'basis'])
    op.create_index('ix_hazard_tally_dimension_month', 'hazard_tally', ['dimension', 'month'], unique=False, postgresql_include=TALLY_INCLUDE)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_hazard_tally_dimension_month', table_name='hazard_tally')
    op.drop_index('ix_hazard_open_deadline', table_name='hazard')
    op.create_index('ix_hazard_open_deadline', 'hazard', ['level', 'deadline'], unique=False, postgresql_where=sa.text(OPEN_DEADLINE), sqlite_where=sa.text(OPEN_DEADLINE), postgresql_include=OLD_DUE_INCLUDE)
    op.drop_index('ix_hazard_unclosed_deadline', table_name='hazard')
