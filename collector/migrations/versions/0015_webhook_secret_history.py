"""webhook secret history: every rotated secret keeps signing until its own promised end
(issue 25). ``previous_secrets`` is a list of ``{"secret", "expires_at"}``; the existing
``previous_secret`` columns keep the latest one (older rows are read from them too).

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('webhook_endpoints') as batch_op:
        batch_op.add_column(sa.Column(
            'previous_secrets',
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'),
            nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('webhook_endpoints') as batch_op:
        batch_op.drop_column('previous_secrets')
