"""delivery: tables and columns added by the delivery capability.

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
import collector.models.base
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('webhook_endpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('events', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('secret', sa.String(length=100), nullable=False),
    sa.Column('previous_secret', sa.String(length=100), nullable=True),
    sa.Column('previous_secret_expires_at', collector.models.base.UTCDateTime(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', collector.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', collector.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_webhook_endpoints_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoints'))
    )
    op.create_index('ix_webhook_endpoints_site', 'webhook_endpoints', ['site_id', 'active'], unique=False)
    op.create_table('webhook_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('endpoint_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('event_type', sa.String(length=64), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('attempted_at', collector.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoints.id'], name=op.f('fk_webhook_deliveries_endpoint_id_webhook_endpoints'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_webhook_deliveries_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries'))
    )
    op.create_index('ix_webhook_deliveries_endpoint', 'webhook_deliveries', ['endpoint_id', 'attempted_at'], unique=False)
    op.create_index('ix_webhook_deliveries_event', 'webhook_deliveries', ['event_id'], unique=False)
    op.create_table('followup_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('touchpoint', sa.String(length=64), nullable=True),
    sa.Column('team', sa.String(length=100), nullable=True),
    sa.Column('owner', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('due_at', collector.models.base.UTCDateTime(), nullable=False),
    sa.Column('contacted_at', collector.models.base.UTCDateTime(), nullable=True),
    sa.Column('closed_at', collector.models.base.UTCDateTime(), nullable=True),
    sa.Column('timeline', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', collector.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', collector.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_followup_cases_person_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_followup_cases_response_id_responses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_followup_cases_site_id_sites'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_followup_cases_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_cases')),
    sa.UniqueConstraint('response_id', name=op.f('uq_followup_cases_response_id'))
    )
    op.create_index('ix_followup_cases_person', 'followup_cases', ['person_id', 'created_at'], unique=False)
    op.create_index('ix_followup_cases_site_status', 'followup_cases', ['site_id', 'status', 'due_at'], unique=False)
    with op.batch_alter_table('jobs') as batch:
        batch.add_column(sa.Column('locked_by', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('jobs') as batch:
        batch.drop_column('locked_by')
    op.drop_table('followup_cases')
    op.drop_table('webhook_deliveries')
    op.drop_table('webhook_endpoints')
