"""eligibility: tables and columns added by the eligibility capability.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import collector.models.base
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
