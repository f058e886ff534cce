"""analytics: tables and columns added by the analytics capability.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa
import collector.models.base
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
