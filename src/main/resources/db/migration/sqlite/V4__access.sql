CREATE TABLE access_grants (
    tenant     TEXT    NOT NULL,
    resource   TEXT    NOT NULL,
    relation   TEXT    NOT NULL CHECK (relation IN ('owner', 'editor', 'viewer', 'member')),
    subject    TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant, resource, relation, subject)
) STRICT;
CREATE INDEX access_grants_by_subject ON access_grants (tenant, subject, resource);

CREATE TABLE access_epochs (
    tenant TEXT    PRIMARY KEY,
    epoch  INTEGER NOT NULL
) STRICT;
