"""eligibility: tables and columns added by the eligibility capability.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import collector.models.base
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('display_id', sa.String(length=40), nullable=True),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('at', collector.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_contacts_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_contacts_site_id_sites'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_contacts_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index('ix_contacts_display', ['site_id', 'display_id'], unique=False)
        batch_op.create_index('ix_contacts_person_at', ['person_id', 'at'], unique=False)

    op.create_table('decision_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_decision_counts_site_id_sites'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_decision_counts_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_counts')),
    sa.UniqueConstraint('survey_id', 'day', 'reason', name='uq_decision_counts_key')
    )
    with op.batch_alter_table('decision_counts', schema=None) as batch_op:
        batch_op.create_index('ix_decision_counts_site_day', ['site_id', 'day'], unique=False)

    op.create_table('tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('status_at', collector.models.base.UTCDateTime(), nullable=False),
    sa.Column('resolved_at', collector.models.base.UTCDateTime(), nullable=True),
    sa.Column('created_at', collector.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', collector.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_tickets_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_tickets_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    sa.UniqueConstraint('site_id', 'external_id', name='uq_tickets_site_external')
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_person_status', ['person_id', 'status'], unique=False)


    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('survey_version_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('touchpoint', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('send_at', collector.models.base.UTCDateTime(), nullable=False),
    sa.Column('sent_at', collector.models.base.UTCDateTime(), nullable=True),
    sa.Column('expires_at', collector.models.base.UTCDateTime(), nullable=True),
    sa.Column('answered_at', collector.models.base.UTCDateTime(), nullable=True),
    sa.Column('locale', sa.String(length=35), nullable=True),
    sa.Column('properties', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('value', sa.Double(), nullable=True),
    sa.Column('cancel_reason', sa.String(length=64), nullable=True),
    sa.Column('created_at', collector.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_invitations_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_invitations_site_id_sites'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_invitations_survey_id_surveys'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_version_id'], ['survey_versions.id'], name=op.f('fk_invitations_survey_version_id_survey_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index('ix_invitations_person', ['person_id', 'survey_id', 'status'], unique=False)
        batch_op.create_index('ix_invitations_site_id', ['site_id', 'id'], unique=False)
        batch_op.create_index('ix_invitations_token', ['token_hash'], unique=False)
        batch_op.create_index('uq_invitations_one_pending', ['survey_id', 'person_id'], unique=True, postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))



def downgrade() -> None:
    op.drop_table('invitations')
    op.drop_table('tickets')
    op.drop_table('decision_counts')
    op.drop_table('contacts')
