"""calls: logged calls and their follow-up

Calls handled by another phone system can be logged through the API (``origin``), and every
call gets follow-up fields: the member it was with, a summary, who handled it after it was
missed and when, a billing rate, and the outside system's references.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 08:50:12.447768
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_LOGGED_ONLY = sa.text("origin = 'logged' AND provider_call_id <> ''")


def upgrade() -> None:
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("origin", sa.String(length=10), server_default="routed", nullable=False)
        )
        batch_op.add_column(sa.Column("member_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("summary", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("handled_by_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("rate", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column(
                "external",
                sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                nullable=True,
            )
        )
        batch_op.create_index(
            "ix_calls_logged_provider_call_id",
            ["project_id", "provider", "provider_call_id"],
            unique=True,
            sqlite_where=_LOGGED_ONLY,
            postgresql_where=_LOGGED_ONLY,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_calls_handled_by_id_members"),
            "members",
            ["handled_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_calls_member_id_members"),
            "members",
            ["member_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_calls_member_id_members"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_calls_handled_by_id_members"), type_="foreignkey")
        batch_op.drop_index(
            "ix_calls_logged_provider_call_id",
            sqlite_where=_LOGGED_ONLY,
            postgresql_where=_LOGGED_ONLY,
        )
        batch_op.drop_column("external")
        batch_op.drop_column("rate")
        batch_op.drop_column("handled_at")
        batch_op.drop_column("handled_by_id")
        batch_op.drop_column("summary")
        batch_op.drop_column("member_id")
        batch_op.drop_column("origin")
