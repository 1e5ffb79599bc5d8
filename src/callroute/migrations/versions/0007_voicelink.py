"""integer handles for numbers, bots, SIP trunks and routers; phone number owners

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 09:00:00

Handles are added in place (ALTER TABLE ... ADD COLUMN, then a unique index) rather than by
rebuilding the tables: on SQLite a rebuild drops the old table, and with foreign keys enforced
that would set ``router_id`` to NULL on every number, call and alert of the dropped routers.
Existing rows get handles 1, 2, 3 ... per project in the order they were created, and each
project's counter starts after the highest one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# table -> the counter name (db.handles.HandleKind) that hands out its handles
HANDLED = {
    "phone_numbers": "phone_number",
    "bots": "bot",
    "sip_trunks": "sip_trunk",
    "routers": "router",
}


def upgrade() -> None:
    op.create_table(
        "project_counters",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_counters_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "name", name=op.f("pk_project_counters")),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, counter in HANDLED.items():
        if sqlite:
            # SQLite adds a NOT NULL column only with a default; every row is numbered below
            # and every insert sets the handle, so the default is never what a row keeps.
            op.add_column(
                table, sa.Column("handle", sa.Integer(), nullable=False, server_default="0")
            )
        else:
            op.add_column(table, sa.Column("handle", sa.Integer(), nullable=True))
        op.execute(
            f"UPDATE {table} SET handle = ("  # noqa: S608 (table names are the constants above)
            f" SELECT ranked.n FROM ("
            f"  SELECT id, ROW_NUMBER() OVER (PARTITION BY project_id ORDER BY created_at, id)"
            f"  AS n FROM {table}) AS ranked"
            f" WHERE ranked.id = {table}.id)"
        )
        if not sqlite:
            op.alter_column(table, "handle", existing_type=sa.Integer(), nullable=False)
        op.create_index(
            f"uq_{table}_project_id_handle", table, ["project_id", "handle"], unique=True
        )
        op.execute(
            f"INSERT INTO project_counters (project_id, name, value)"  # noqa: S608
            f" SELECT project_id, '{counter}', MAX(handle) FROM {table} GROUP BY project_id"
        )
    # Nothing references phone_numbers, so rebuilding it on SQLite (to add a foreign key)
    # loses nothing.
    with op.batch_alter_table("phone_numbers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_phone_numbers_owner_id"), ["owner_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_phone_numbers_owner_id_members"),
            "members",
            ["owner_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("phone_numbers", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_phone_numbers_owner_id_members"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_phone_numbers_owner_id"))
        batch_op.drop_column("owner_id")
    for table in HANDLED:
        op.drop_index(f"uq_{table}_project_id_handle", table_name=table)
        # In place on SQLite too (3.35+), for the reason given at the top.
        op.execute(f"ALTER TABLE {table} DROP COLUMN handle")
    op.drop_table("project_counters")
