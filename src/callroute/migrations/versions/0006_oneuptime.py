"""router description, labels and connection; named, timestamped escalation levels

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 08:51:37.935640

Existing rows get an empty description and no labels; an existing level takes its policy's
timestamps (the closest truth there is). Columns that must not be null are added nullable,
filled, then tightened, which works the same on SQLite (batch rebuild) and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("routers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("labels", JSON, nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("connection_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_routers_connection_id"), ["connection_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_routers_connection_id_provider_connections"),
            "provider_connections",
            ["connection_id"],
            ["id"],
        )
    # The defaults only filled existing rows; the application always writes these columns.
    with op.batch_alter_table("routers", schema=None) as batch_op:
        batch_op.alter_column("description", server_default=None)
        batch_op.alter_column("labels", server_default=None)

    with op.batch_alter_table("escalation_levels", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("name", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE escalation_levels SET"
        " created_at = (SELECT p.created_at FROM escalation_policies p"
        " WHERE p.id = escalation_levels.policy_id),"
        " updated_at = (SELECT p.updated_at FROM escalation_policies p"
        " WHERE p.id = escalation_levels.policy_id)"
    )
    with op.batch_alter_table("escalation_levels", schema=None) as batch_op:
        batch_op.alter_column("name", server_default=None)
        batch_op.alter_column("description", server_default=None)
        batch_op.alter_column(
            "created_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.alter_column(
            "updated_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("escalation_levels", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
        batch_op.drop_column("created_at")
        batch_op.drop_column("description")
        batch_op.drop_column("name")

    with op.batch_alter_table("routers", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_routers_connection_id_provider_connections"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_routers_connection_id"))
        batch_op.drop_column("connection_id")
        batch_op.drop_column("labels")
        batch_op.drop_column("description")
