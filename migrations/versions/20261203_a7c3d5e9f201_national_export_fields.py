"""national export: the hazard's registrant duty, cause and stage; the organisation code

Revision ID: a7c3d5e9f201
Revises: a7c3e51d9b24
Create Date: 2026-12-03 15:00:00.000000

The national 双重预防 interface asks for hazardCategory, dangerReason and occurrenceLink on a
hazard and a 9-character companyCode for the enterprise. Existing rows get the defaults new
rows get (inspection.hazards.causes, inspection.enterprises.organisation_code): every hazard
so far was registered by a park inspector (other); the cause from the kind of finding and its
basis; the stage where the finding says it; the organisation code from the credit code.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = 'a7c3d5e9f201'
down_revision: Union[str, Sequence[str], None] = 'a7c3e51d9b24'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TERM = (
    "CASE aspect WHEN 'person' THEN '人的不安全行为' WHEN 'thing' THEN '物的不安全状态'"
    " WHEN 'management' THEN '管理上的缺陷' END"
)
CLAUSE = "CASE WHEN TRIM(COALESCE(basis, '')) <> '' THEN '未满足' || TRIM(basis) || '的要求' END"


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.add_column(sa.Column('company_code', sqlmodel.sql.sqltypes.AutoString(length=9), nullable=True))
    with op.batch_alter_table('hazard', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registrant_duty', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default='other'))
        batch_op.add_column(sa.Column('danger_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True))
        batch_op.add_column(sa.Column('occurrence_link', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
    with op.batch_alter_table('hazard', schema=None) as batch_op:
        batch_op.alter_column('registrant_duty', server_default=None)

    op.execute(
        "UPDATE enterprise SET company_code = SUBSTR(credit_code, 9, 9)"
        " WHERE company_code IS NULL AND LENGTH(credit_code) = 18"
    )
    op.execute(
        "UPDATE hazard SET danger_reason = SUBSTR("
        f"CASE WHEN ({TERM}) IS NOT NULL AND ({CLAUSE}) IS NOT NULL"
        f" THEN ({TERM}) || '：' || ({CLAUSE}) ELSE COALESCE({TERM}, {CLAUSE}) END, 1, 1000)"
        " WHERE danger_reason IS NULL"
    )
    op.execute(
        "UPDATE hazard SET occurrence_link = CASE WHEN aspect = 'person' THEN 'operation'"
        " WHEN category = 'layout' THEN 'design' END WHERE occurrence_link IS NULL"
    )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('hazard', schema=None) as batch_op:
        batch_op.drop_column('occurrence_link')
        batch_op.drop_column('danger_reason')
        batch_op.drop_column('registrant_duty')
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_column('company_code')
