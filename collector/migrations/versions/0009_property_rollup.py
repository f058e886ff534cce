"""property roll-up: NPS sums per day and property value, and per day and ticket
resolution bucket (docs/metrics-rollup.md).

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

import collector.models.base

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

SUMS = ('promoters', 'passives', 'detractors', 'quarantined')
WEIGHTS = ('promoter_weight', 'promoter_weight_squared', 'passive_weight',
           'passive_weight_squared', 'detractor_weight', 'detractor_weight_squared')


def upgrade() -> None:
    op.create_table(
        'nps_property_rollups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('value', sa.Text(), nullable=True),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in SUMS],
        *[sa.Column(name, sa.Double(), nullable=False) for name in WEIGHTS],
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'],
                                name=op.f('fk_nps_property_rollups_site_id_sites'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'],
                                name=op.f('fk_nps_property_rollups_survey_id_surveys'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_nps_property_rollups')),
    )
    op.create_index('ix_nps_property_rollups_site_name_day', 'nps_property_rollups',
                    ['site_id', 'name', 'day'], unique=False)
    op.create_table(
        'nps_rollup_properties',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('distinct_values', sa.Integer(), nullable=False),
        sa.Column('updated_at', collector.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'],
                                name=op.f('fk_nps_rollup_properties_site_id_sites'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_nps_rollup_properties')),
        sa.UniqueConstraint('site_id', 'name', name=op.f('uq_nps_rollup_properties_site_id')),
    )
    op.create_table(
        'nps_ticket_rollups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('bucket', sa.String(length=16), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in SUMS],
        *[sa.Column(name, sa.Double(), nullable=False) for name in WEIGHTS],
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'],
                                name=op.f('fk_nps_ticket_rollups_site_id_sites'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'],
                                name=op.f('fk_nps_ticket_rollups_survey_id_surveys'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_nps_ticket_rollups')),
    )
    op.create_index('ix_nps_ticket_rollups_site_day', 'nps_ticket_rollups',
                    ['site_id', 'day'], unique=False)
    op.create_index('ix_tickets_updated_at', 'tickets', ['updated_at'], unique=False)
    with op.batch_alter_table('nps_rollup_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ticket_watermark',
                                      collector.models.base.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('nps_rollup_state', schema=None) as batch_op:
        batch_op.drop_column('ticket_watermark')
    op.drop_index('ix_tickets_updated_at', table_name='tickets')
    op.drop_index('ix_nps_ticket_rollups_site_day', table_name='nps_ticket_rollups')
    op.drop_table('nps_ticket_rollups')
    op.drop_table('nps_rollup_properties')
    op.drop_index('ix_nps_property_rollups_site_name_day', table_name='nps_property_rollups')
    op.drop_table('nps_property_rollups')
