-- SQLite has no stored functions: sk_now() (epoch milliseconds of "now") is registered on every
-- connection by the store (store/Store.java). This migration keeps both dialects' versions in step.
SELECT 1;
