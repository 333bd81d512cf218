-- Access grants: (resource, relation, subject) per tenant.
CREATE TABLE access_grants (
    tenant     text        NOT NULL,
    resource   text        NOT NULL,
    relation   text        NOT NULL CHECK (relation IN ('owner', 'editor', 'viewer', 'member')),
    subject    text        NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant, resource, relation, subject)
);
CREATE INDEX access_grants_by_subject ON access_grants (tenant, subject, resource);

-- Bumped in the transaction of every grant change: cached decisions carry the epoch they were
-- made in, so a change makes every older decision of the tenant unreachable at once.
CREATE TABLE access_epochs (
    tenant text   PRIMARY KEY,
    epoch  bigint NOT NULL
);
