"""quarantine index: the console's quarantine review lists a site's held-back answers newest
first and counts them by reason; a partial index on the quarantined answers alone makes that
an index scan instead of a read of every answer the site received (docs/console.md). Accepted
answers are not in it, so the widget's submits do not pay for it.

On PostgreSQL the index is built ``CONCURRENTLY``, outside the migration's transaction, as in
0010: a plain ``CREATE INDEX`` on a large ``responses`` table would block every submit.

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

NAME = 'ix_responses_quarantined'
COLUMNS = ['site_id', 'id']
WHERE = sa.text("verdict = 'quarantined'")


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        with op.get_context().autocommit_block():
            op.create_index(NAME, 'responses', COLUMNS, postgresql_concurrently=True,
                            postgresql_where=WHERE, if_not_exists=True)
        return
    op.create_index(NAME, 'responses', COLUMNS, sqlite_where=WHERE)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        with op.get_context().autocommit_block():
            op.drop_index(NAME, table_name='responses', postgresql_concurrently=True,
                          if_exists=True)
        return
    op.drop_index(NAME, table_name='responses')
