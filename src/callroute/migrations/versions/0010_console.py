"""members sign in to the web console

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 13:45:00

A member may have a password (an argon2id hash) to sign in to the console, and each signed-in
browser has a session row holding the hash of its cookie's token and its CSRF token. The
column is added in place (ALTER TABLE ... ADD COLUMN): the members table is referenced by many.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("members", sa.Column("password_hash", sa.String(length=255), nullable=True))
    op.create_table(
        "console_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_console_sessions_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_console_sessions_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_console_sessions_token_hash")),
    )
    op.create_index(
        op.f("ix_console_sessions_project_id"), "console_sessions", ["project_id"], unique=False
    )
    op.create_index(
        op.f("ix_console_sessions_member_id"), "console_sessions", ["member_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_console_sessions_member_id"), table_name="console_sessions")
    op.drop_index(op.f("ix_console_sessions_project_id"), table_name="console_sessions")
    op.drop_table("console_sessions")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("password_hash")
