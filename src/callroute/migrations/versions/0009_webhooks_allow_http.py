"""projects choose whether outgoing webhooks may use plain http

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 11:04:06

Outgoing webhooks go over https unless the project allows http. A project that already has an
http:// subscription is allowed it, so that upgrading does not silently stop its deliveries;
every other project starts with https only. The column is added in place (ALTER TABLE ... ADD
COLUMN), without rebuilding the projects table that every other table refers to.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "projects",
        sa.Column("webhooks_allow_http", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute(
        "UPDATE projects SET webhooks_allow_http = TRUE WHERE id IN "
        "(SELECT project_id FROM webhook_subscriptions WHERE url LIKE 'http://%')"
    )


def downgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("webhooks_allow_http")
