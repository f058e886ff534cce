"""unique people by email: concurrent requests naming one email (and no user id) created
several people on PostgreSQL, splitting their answers, and export, erasure and unsubscribe
found only the first. A partial unique index on (site_id, email) for people known by email
alone makes the second insert conflict (collector/people/lookup.py reads the winner back).

People who also have a user id are unique by that (``uq_people_site_external``): two accounts
may share an address (a family, a shared inbox) and stay two people.

Existing duplicates are merged into the oldest row first: their answers, contacts, tickets,
invitations and follow-up cases are re-pointed to it; a pending invitation the oldest already
has for the same survey is cancelled (``merged_duplicate``); the oldest keeps its fields and
takes the earliest unsubscribe and bounce, and properties the others add.

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

INDEX = 'uq_people_site_email'
WHERE = 'external_id IS NULL AND email IS NOT NULL'
REFERENCING = ('responses', 'contacts', 'tickets', 'followup_cases')

people = sa.table('people', sa.column('id', sa.Integer), sa.column('site_id', sa.Integer),
                  sa.column('email', sa.String), sa.column('external_id', sa.String),
                  sa.column('properties', sa.JSON), sa.column('unsubscribed_at', sa.DateTime),
                  sa.column('bounced_at', sa.DateTime), sa.column('name', sa.String),
                  sa.column('locale', sa.String), sa.column('value', sa.Float))
invitations = sa.table('invitations', sa.column('id', sa.Integer),
                       sa.column('person_id', sa.Integer), sa.column('survey_id', sa.Integer),
                       sa.column('status', sa.String), sa.column('cancel_reason', sa.String))


def _earliest(*moments):
    present = [m for m in moments if m is not None]
    return min(present) if present else None


def merge_duplicates(bind: sa.engine.Connection) -> int:
    """Merge every group of people sharing a site and email (and no user id) into its oldest
    row; returns how many rows were merged away."""
    groups = bind.execute(
        sa.select(people.c.site_id, people.c.email)
        .where(people.c.external_id.is_(None), people.c.email.is_not(None))
        .group_by(people.c.site_id, people.c.email).having(sa.func.count() > 1)).all()
    merged = 0
    for site_id, email in groups:
        rows = bind.execute(sa.select(people).where(
            people.c.site_id == site_id, people.c.email == email,
            people.c.external_id.is_(None)).order_by(people.c.id)).mappings().all()
        keep, others = rows[0], rows[1:]
        other_ids = [row['id'] for row in others]
        pending = set(bind.scalars(sa.select(invitations.c.survey_id).where(
            invitations.c.person_id == keep['id'], invitations.c.status == 'pending')))
        for row in bind.execute(sa.select(invitations.c.id, invitations.c.survey_id).where(
                invitations.c.person_id.in_(other_ids), invitations.c.status == 'pending')
                .order_by(invitations.c.id)):
            if row.survey_id in pending:
                bind.execute(invitations.update().where(invitations.c.id == row.id).values(
                    status='cancelled', cancel_reason='merged_duplicate'))
            else:
                pending.add(row.survey_id)
        for table in (*REFERENCING, 'invitations'):
            target = sa.table(table, sa.column('person_id', sa.Integer))
            bind.execute(target.update().where(target.c.person_id.in_(other_ids))
                         .values(person_id=keep['id']))
        properties: dict = {}
        for row in rows:
            properties.update(row['properties'] or {})
        properties.update(keep['properties'] or {})
        bind.execute(people.update().where(people.c.id == keep['id']).values(
            properties=properties,
            unsubscribed_at=_earliest(*(row['unsubscribed_at'] for row in rows)),
            bounced_at=_earliest(*(row['bounced_at'] for row in rows)),
            name=next((row['name'] for row in rows if row['name']), None),
            locale=next((row['locale'] for row in rows if row['locale']), None),
            value=next((row['value'] for row in rows if row['value'] is not None), None)))
        bind.execute(people.delete().where(people.c.id.in_(other_ids)))
        merged += len(other_ids)
    return merged


def upgrade() -> None:
    merge_duplicates(op.get_bind())
    op.create_index(INDEX, 'people', ['site_id', 'email'], unique=True,
                    postgresql_where=sa.text(WHERE), sqlite_where=sa.text(WHERE))


def downgrade() -> None:
    op.drop_index(INDEX, table_name='people')
