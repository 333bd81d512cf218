-- "Now plus some milliseconds" (negative: the past), written the same in the SQL of both stores:
-- leases, backoff, retention cut-offs. Inlined like sk_now(), so an index range bounded by it
-- stays usable.
CREATE FUNCTION sk_now_plus(ms bigint) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT sk_now() + ms * interval '1 millisecond' $$;
