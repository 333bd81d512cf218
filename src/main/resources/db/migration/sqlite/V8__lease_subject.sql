-- A lease belongs to the key's subject as well as to the agent name the claim gave: another key
-- that names the same agent does not hold it. Leases taken before this migration have no subject
-- and are held by the agent name alone until they end (at most one lease length).
ALTER TABLE tasks ADD COLUMN claimed_subject TEXT;
