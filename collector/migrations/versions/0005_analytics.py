"""analytics: tables and columns added by the analytics capability.

Revision ID: 0005
Revises: 0004
"""
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A covering index for GET /v1/metrics/nps (collector/models/analytics.py).
    op.create_index('ix_responses_metrics', 'responses',
                    ['site_id', 'created_at', 'verdict', 'category', 'touchpoint', 'channel',
                     'locale', 'value'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_responses_metrics', table_name='responses')
