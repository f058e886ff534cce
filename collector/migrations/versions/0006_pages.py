"""pages: no schema change (hosted pages needed no tables); kept so the chain stays
stable for databases already migrated.

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa
import collector.models.base
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
