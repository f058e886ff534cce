"""anonymous people: ``people.signed_up_at`` (when the host product's backend says the person
signed up; ``too_soon_after_signup`` counts from it) and a partial index on the anonymous,
not erased people by ``updated_at``, which housekeeping reads to expire those never surveyed
(collector/governance/anonymous_people.py, docs/governance.md).

On PostgreSQL the index is built ``CONCURRENTLY``, outside the migration's transaction: the
people table of a site that stored every first-time visitor is large.

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

import collector.models.base

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

INDEX = 'ix_people_anonymous_updated'
ANONYMOUS = 'external_id IS NULL AND email IS NULL AND erased_at IS NULL'


def upgrade() -> None:
    with op.batch_alter_table('people') as batch:
        batch.add_column(sa.Column('signed_up_at', collector.models.base.UTCDateTime(),
                                   nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        with op.get_context().autocommit_block():
            op.create_index(INDEX, 'people', ['updated_at'], postgresql_concurrently=True,
                            postgresql_where=sa.text(ANONYMOUS), if_not_exists=True)
        return
    op.create_index(INDEX, 'people', ['updated_at'], sqlite_where=sa.text(ANONYMOUS))


def downgrade() -> None:
    op.drop_index(INDEX, table_name='people')
    with op.batch_alter_table('people') as batch:
        batch.drop_column('signed_up_at')
