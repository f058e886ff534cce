"""help-desk integrations: Zendesk, Freshdesk and Intercom ticket events in (their secrets
and every delivery they sent), Slack and Teams formats for outbound webhooks.

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

import collector.models.base

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('helpdesk_integrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('vendor', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('secret', sa.String(length=200), nullable=False),
    sa.Column('previous_secret', sa.String(length=200), nullable=True),
    sa.Column('previous_secret_expires_at', collector.models.base.UTCDateTime(), nullable=True),
    sa.Column('survey_key', sa.String(length=64), nullable=True),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', collector.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', collector.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'],
                            name=op.f('fk_helpdesk_integrations_site_id_sites'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_helpdesk_integrations'))
    )
    with op.batch_alter_table('helpdesk_integrations', schema=None) as batch_op:
        batch_op.create_index('ix_helpdesk_integrations_site', ['site_id'], unique=False)
    op.create_table('integration_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('integration_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('vendor_event', sa.String(length=100), nullable=True),
    sa.Column('ticket_id', sa.String(length=200), nullable=True),
    sa.Column('ticket_status', sa.String(length=12), nullable=True),
    sa.Column('event_at', collector.models.base.UTCDateTime(), nullable=True),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('replay_key', sa.String(length=64), nullable=True),
    sa.Column('received_at', collector.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['integration_id'], ['helpdesk_integrations.id'],
                            name=op.f('fk_integration_deliveries_integration_id_helpdesk_integrations'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'],
                            name=op.f('fk_integration_deliveries_site_id_sites'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_integration_deliveries')),
    sa.UniqueConstraint('integration_id', 'replay_key',
                        name='uq_integration_deliveries_replay')
    )
    with op.batch_alter_table('integration_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_integration_deliveries_integration',
                              ['integration_id', 'received_at'], unique=False)
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('format', sa.String(length=16), nullable=False,
                                      server_default='standard'))


def downgrade() -> None:
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.drop_column('format')
    op.drop_table('integration_deliveries')
    op.drop_table('helpdesk_integrations')
