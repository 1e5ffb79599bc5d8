"""call_effects: provider requests recorded before they are made

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 10:47:55.193532
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "call_effects",
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column(
            "params", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column(
            "result", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.id"],
            name=op.f("fk_call_effects_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_call_effects_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_effects")),
        sa.UniqueConstraint("call_id", "key", name=op.f("uq_call_effects_call_id_key")),
    )
    with op.batch_alter_table("call_effects", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_call_effects_project_id"), ["project_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("call_effects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_effects_project_id"))

    op.drop_table("call_effects")
