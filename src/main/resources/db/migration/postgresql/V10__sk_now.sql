-- "Now" of every statement: the database's clock (statement_timestamp()), unless the connection
-- has statekeeper.now set (tests do, through a settable clock), so lease expiry, backoff,
-- deadlines and retention are tested without sleeping. STABLE and a single SELECT: the planner
-- inlines it, and an index range bounded by it is as usable as one bounded by statement_timestamp().
CREATE FUNCTION sk_now() RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT COALESCE(NULLIF(current_setting('statekeeper.now', true), '')::timestamptz, statement_timestamp()) $$;
