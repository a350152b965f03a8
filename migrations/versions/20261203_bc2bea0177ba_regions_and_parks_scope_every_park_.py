"""Regions and parks: every park-owned row names its park; staff belong to a park or a region

Revision ID: bc2bea0177ba
Revises: 9e916fdbfa3d
Create Date: 2026-12-03 08:04:44.100641

Until now the deployment served one park (the first). Existing rows are given that park; the
checklist templates already loaded become the shared library (no park).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import inspection.db


# revision identifiers, used by Alembic.
revision: str = 'bc2bea0177ba'
down_revision: Union[str, Sequence[str], None] = '9e916fdbfa3d'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

UNCLOSED = "state IN ('found', 'issued', 'acknowledged', 'rectifying', 'submitted', 'accepted', 'escalated')"

# Tables whose rows now carry their park; the NOT NULL ones are filled from below.
REQUIRED = ("campaign", "hazard", "hazard_tally", "holiday", "inspection", "recurring_plan", "webhook_endpoint")


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('region',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('authority', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('created_at', inspection.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_region')),
    sa.UniqueConstraint('name', name=op.f('uq_region_name'))
    )
    with op.batch_alter_table('park', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('short_name', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_park_region_id'), ['region_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_park_region_id_region'), 'region', ['region_id'], ['id'])

    # 1. The columns, nullable while they are filled in.
    for table in REQUIRED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('park_id', sa.Integer(), nullable=True))
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('park_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('region_id', sa.Integer(), nullable=True))

    _backfill()

    # 2. Constraints and indexes.
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_account_park_id'), ['park_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_account_region_id'), ['region_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_user_account_park_id_park'), 'park', ['park_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_user_account_region_id_region'), 'region', ['region_id'], ['id'])
        batch_op.create_check_constraint(
            'user_home',
            "(park_id IS NULL OR region_id IS NULL) AND (role <> 'enterprise' OR park_id IS NOT NULL)",
        )
    for table in REQUIRED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('park_id', existing_type=sa.Integer(), nullable=False)
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_park_id_park'), 'park', ['park_id'], ['id'])
            if table not in ('hazard', 'hazard_tally'):
                batch_op.create_index(batch_op.f(f'ix_{table}_park_id'), ['park_id'], unique=False)

    with op.batch_alter_table('hazard', schema=None) as batch_op:
        batch_op.drop_index('ix_hazard_deadline_id')
        batch_op.drop_index('ix_hazard_unclosed')
        batch_op.create_index('ix_hazard_unclosed', ['park_id', 'deadline', 'id'], unique=False, postgresql_where=sa.text(UNCLOSED), postgresql_include=['level', 'enterprise_id'], sqlite_where=sa.text(UNCLOSED))
        batch_op.create_index('ix_hazard_park_deadline_id', ['park_id', 'deadline', 'id'], unique=False)

    with op.batch_alter_table('hazard_tally', schema=None) as batch_op:
        batch_op.drop_constraint('uq_hazard_tally_cell', type_='unique')
        batch_op.create_unique_constraint('uq_hazard_tally_cell', ['park_id', 'dimension', 'month', 'key', 'level'])

    with op.batch_alter_table('holiday', schema=None) as batch_op:
        batch_op.drop_constraint('uq_holiday_start_name', type_='unique')
        batch_op.create_unique_constraint('uq_holiday_park_start_name', ['park_id', 'start_date', 'name'])

    with op.batch_alter_table('checklist_template', schema=None) as batch_op:
        batch_op.add_column(sa.Column('park_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('copied_from_id', sa.Integer(), nullable=True))
        batch_op.drop_constraint('uq_checklist_template_code', type_='unique')
        batch_op.create_index(batch_op.f('ix_checklist_template_park_id'), ['park_id'], unique=False)
        batch_op.create_index('uq_checklist_template_library_code', ['code'], unique=True, postgresql_where=sa.text('park_id IS NULL'), sqlite_where=sa.text('park_id IS NULL'))
        batch_op.create_unique_constraint('uq_checklist_template_park_code', ['park_id', 'code'])
        batch_op.create_foreign_key(batch_op.f('fk_checklist_template_copied_from_id_checklist_template'), 'checklist_template', ['copied_from_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_checklist_template_park_id_park'), 'park', ['park_id'], ['id'])

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('park_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_notification_park_id'), ['park_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_notification_park_id_park'), 'park', ['park_id'], ['id'])

    with op.batch_alter_table('report_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('park_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('region_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_report_job_park_id'), ['park_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_job_region_id'), ['region_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_report_job_region_id_region'), 'region', ['region_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_report_job_park_id_park'), 'park', ['park_id'], ['id'])
    _backfill_optional()


def _first_park(connection):
    return connection.execute(sa.text("SELECT min(id) FROM park")).scalar()


def _backfill() -> None:
    """Give every existing row the park it belonged to: its enterprise's, else the first park
    (the only one the application served until now)."""
    connection = op.get_bind()
    park = _first_park(connection)
    by_enterprise = "(SELECT e.park_id FROM enterprise e WHERE e.id = {table}.enterprise_id)"
    for table in ("hazard", "inspection"):
        connection.execute(sa.text(f"UPDATE {table} SET park_id = {by_enterprise.format(table=table)}"))
    connection.execute(sa.text(
        "UPDATE user_account SET park_id = " + by_enterprise.format(table="user_account")
        + " WHERE enterprise_id IS NOT NULL"
    ))
    leftovers = [
        table for table in REQUIRED
        if connection.execute(sa.text(f"SELECT count(*) FROM {table} WHERE park_id IS NULL")).scalar()
    ]
    if leftovers and park is None:
        raise RuntimeError(
            f"Rows in {', '.join(leftovers)} but no park to give them: run `flask setup-park` first."
        )
    if park is not None:
        for table in REQUIRED:
            connection.execute(sa.text(f"UPDATE {table} SET park_id = :park WHERE park_id IS NULL"), {"park": park})
        connection.execute(
            sa.text("UPDATE user_account SET park_id = :park WHERE park_id IS NULL"), {"park": park}
        )


def _backfill_optional() -> None:
    """Reports and notifications asked for so far were the first park's."""
    connection = op.get_bind()
    park = _first_park(connection)
    if park is not None:
        for table in ("report_job", "notification"):
            connection.execute(sa.text(f"UPDATE {table} SET park_id = :park"), {"park": park})


def downgrade() -> None:
    """Downgrade schema (the region's other parks' rows would be mixed together: refused when
    there is more than one park)."""
    connection = op.get_bind()
    if connection.execute(sa.text("SELECT count(*) FROM park")).scalar() > 1:
        raise RuntimeError("More than one park: this schema cannot go back to serving one park.")
    with op.batch_alter_table('report_job', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_report_job_park_id_park'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_report_job_region_id_region'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_report_job_region_id'))
        batch_op.drop_index(batch_op.f('ix_report_job_park_id'))
        batch_op.drop_column('region_id')
        batch_op.drop_column('park_id')

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notification_park_id_park'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_notification_park_id'))
        batch_op.drop_column('park_id')

    with op.batch_alter_table('checklist_template', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_checklist_template_park_id_park'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_checklist_template_copied_from_id_checklist_template'), type_='foreignkey')
        batch_op.drop_constraint('uq_checklist_template_park_code', type_='unique')
        batch_op.drop_index('uq_checklist_template_library_code')
        batch_op.drop_index(batch_op.f('ix_checklist_template_park_id'))
        batch_op.create_unique_constraint(batch_op.f('uq_checklist_template_code'), ['code'])
        batch_op.drop_column('copied_from_id')
        batch_op.drop_column('park_id')

    with op.batch_alter_table('holiday', schema=None) as batch_op:
        batch_op.drop_constraint('uq_holiday_park_start_name', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_holiday_start_name'), ['start_date', 'name'])

    with op.batch_alter_table('hazard_tally', schema=None) as batch_op:
        batch_op.drop_constraint('uq_hazard_tally_cell', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_hazard_tally_cell'), ['dimension', 'month', 'key', 'level'])

    with op.batch_alter_table('hazard', schema=None) as batch_op:
        batch_op.drop_index('ix_hazard_park_deadline_id')
        batch_op.drop_index('ix_hazard_unclosed')
        batch_op.create_index('ix_hazard_unclosed', ['deadline', 'id'], unique=False, postgresql_where=sa.text(UNCLOSED), postgresql_include=['level', 'enterprise_id'], sqlite_where=sa.text(UNCLOSED))
        batch_op.create_index(batch_op.f('ix_hazard_deadline_id'), ['deadline', 'id'], unique=False)

    for table in REQUIRED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_park_id_park'), type_='foreignkey')
            if table not in ('hazard', 'hazard_tally'):
                batch_op.drop_index(batch_op.f(f'ix_{table}_park_id'))
            batch_op.drop_column('park_id')

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint('user_home', type_='check')
        batch_op.drop_constraint(batch_op.f('fk_user_account_region_id_region'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_user_account_park_id_park'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_user_account_region_id'))
        batch_op.drop_index(batch_op.f('ix_user_account_park_id'))
        batch_op.drop_column('region_id')
        batch_op.drop_column('park_id')

    with op.batch_alter_table('park', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_park_region_id_region'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_park_region_id'))
        batch_op.drop_column('short_name')
        batch_op.drop_column('region_id')

    op.drop_table('region')
