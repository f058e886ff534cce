"""display tokens: the ids of display tokens already answered (single use across processes,
collector/protection/display_tokens.py) and the signals noted on an answer that are not
reasons on their own (docs/protection.md, "Display tokens").

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import collector.models.base

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('display_token_uses',
    sa.Column('token_id', sa.String(length=32), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('used_at', collector.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'],
                            name=op.f('fk_display_token_uses_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_id', name=op.f('pk_display_token_uses'))
    )
    op.create_index('ix_display_token_uses_used', 'display_token_uses', ['used_at'])
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'verdict_signals',
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
            nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_column('verdict_signals')
    op.drop_index('ix_display_token_uses_used', table_name='display_token_uses')
    op.drop_table('display_token_uses')
