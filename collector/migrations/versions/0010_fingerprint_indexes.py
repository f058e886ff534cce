"""fingerprint indexes: a submit counts one fingerprint's recent answers to the survey and to
the whole site; both counts become index range scans (docs/protection.md).

The site-wide count had no index of its own and read every answer the site received in the
burst window, so its cost grew with the site's traffic.

On PostgreSQL the indexes are built ``CONCURRENTLY``, outside the migration's transaction:
a plain ``CREATE INDEX`` on a large ``responses`` table would block every submit until it
finished. The old index is dropped only once the new ones exist.

Revision ID: 0010
Revises: 0009
"""
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

NEW = {
    'ix_responses_survey_fingerprint': ['survey_id', 'fingerprint', 'created_at'],
    'ix_responses_site_fingerprint': ['site_id', 'fingerprint', 'created_at'],
}
OLD = ('ix_responses_fingerprint', ['survey_id', 'fingerprint'])


def _postgresql() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade() -> None:
    if _postgresql():
        with op.get_context().autocommit_block():
            for name, columns in NEW.items():
                op.create_index(name, 'responses', columns, postgresql_concurrently=True,
                                if_not_exists=True)
            op.drop_index(OLD[0], table_name='responses', postgresql_concurrently=True,
                          if_exists=True)
        return
    with op.batch_alter_table('responses', schema=None) as batch_op:
        for name, columns in NEW.items():
            batch_op.create_index(name, columns, unique=False)
        batch_op.drop_index(OLD[0])


def downgrade() -> None:
    if _postgresql():
        with op.get_context().autocommit_block():
            op.create_index(OLD[0], 'responses', OLD[1], postgresql_concurrently=True,
                            if_not_exists=True)
            for name in NEW:
                op.drop_index(name, table_name='responses', postgresql_concurrently=True,
                              if_exists=True)
        return
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.create_index(OLD[0], OLD[1], unique=False)
        for name in NEW:
            batch_op.drop_index(name)
