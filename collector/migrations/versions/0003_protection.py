"""protection: no schema change (this capability needed no tables); kept so the chain stays
stable for databases already migrated.

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
import collector.models.base
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
