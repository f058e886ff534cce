"""fingerprint indexes: a submit counts one fingerprint's recent answers to the survey and to
the whole site; both counts become index range scans (docs/protection.md).

The site-wide count had no index of its own and read every answer the site received in the
burst window, so its cost grew with the site's traffic.

Revision ID: 0010
Revises: 0009
"""
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index('ix_responses_fingerprint')
        batch_op.create_index('ix_responses_survey_fingerprint',
                              ['survey_id', 'fingerprint', 'created_at'], unique=False)
        batch_op.create_index('ix_responses_site_fingerprint',
                              ['site_id', 'fingerprint', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index('ix_responses_site_fingerprint')
        batch_op.drop_index('ix_responses_survey_fingerprint')
        batch_op.create_index('ix_responses_fingerprint', ['survey_id', 'fingerprint'],
                              unique=False)
