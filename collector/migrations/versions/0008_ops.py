"""ops: one queued instance per periodic job (jobs.dedupe_key), once-only side effects.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

import collector.models.base

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

QUEUED_ONLY = "status = 'queued' AND dedupe_key IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dedupe_key', sa.String(length=200), nullable=True))
        batch_op.create_index('ix_jobs_dedupe', ['dedupe_key', 'status'], unique=False)
        batch_op.create_index('uq_jobs_dedupe_queued', ['dedupe_key'], unique=True,
                              postgresql_where=sa.text(QUEUED_ONLY),
                              sqlite_where=sa.text(QUEUED_ONLY))
    op.create_table('once_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('created_at', collector.models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_once_marks')),
    sa.UniqueConstraint('key', name=op.f('uq_once_marks_key'))
    )


def downgrade() -> None:
    op.drop_table('once_marks')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('uq_jobs_dedupe_queued')
        batch_op.drop_index('ix_jobs_dedupe')
        batch_op.drop_column('dedupe_key')
