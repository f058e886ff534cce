"""rollup: the daily NPS roll-up behind GET /v1/metrics/nps (docs/metrics-rollup.md).

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa
import collector.models.base

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'nps_daily_rollups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('touchpoint', sa.String(length=64), nullable=True),
        sa.Column('channel', sa.String(length=16), nullable=True),
        sa.Column('locale', sa.String(length=35), nullable=True),
        sa.Column('promoters', sa.Integer(), nullable=False),
        sa.Column('passives', sa.Integer(), nullable=False),
        sa.Column('detractors', sa.Integer(), nullable=False),
        sa.Column('quarantined', sa.Integer(), nullable=False),
        sa.Column('promoter_weight', sa.Double(), nullable=False),
        sa.Column('promoter_weight_squared', sa.Double(), nullable=False),
        sa.Column('passive_weight', sa.Double(), nullable=False),
        sa.Column('passive_weight_squared', sa.Double(), nullable=False),
        sa.Column('detractor_weight', sa.Double(), nullable=False),
        sa.Column('detractor_weight_squared', sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'],
                                name=op.f('fk_nps_daily_rollups_site_id_sites'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'],
                                name=op.f('fk_nps_daily_rollups_survey_id_surveys'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_nps_daily_rollups')),
    )
    op.create_index('ix_nps_daily_rollups_site_day', 'nps_daily_rollups', ['site_id', 'day'],
                    unique=False)
    op.create_table(
        'nps_rollup_dirty_days',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=True),
        sa.Column('day', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'],
                                name=op.f('fk_nps_rollup_dirty_days_site_id_sites'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'],
                                name=op.f('fk_nps_rollup_dirty_days_survey_id_surveys'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_nps_rollup_dirty_days')),
    )
    op.create_index('ix_nps_rollup_dirty_days_site_day', 'nps_rollup_dirty_days',
                    ['site_id', 'day'], unique=False)
    op.create_table(
        'nps_rollup_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('watermark', sa.Integer(), nullable=False),
        sa.Column('horizon', sa.Integer(), nullable=False),
        sa.Column('generation', sa.Integer(), nullable=False),
        sa.Column('updated_at', collector.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_nps_rollup_state')),
    )


def downgrade() -> None:
    op.drop_table('nps_rollup_state')
    op.drop_index('ix_nps_rollup_dirty_days_site_day', table_name='nps_rollup_dirty_days')
    op.drop_table('nps_rollup_dirty_days')
    op.drop_index('ix_nps_daily_rollups_site_day', table_name='nps_daily_rollups')
    op.drop_table('nps_daily_rollups')
