-- sk_now_plus(ms) is a function the store registers on every SQLite connection (epoch
-- milliseconds of now plus ms), as sk_now(); nothing to create. Kept so both stores' migrations
-- have the same versions.
SELECT 1;
