-- Token buckets of the rate limits (API keys, logins, registrations), shared by every
-- instance so that a limit holds across a cluster. Bucket4j's PostgreSQL backend reads and
-- writes them (SELECT ... FOR UPDATE per request of a limited caller); a row is removed once
-- its bucket has refilled (expires_at, epoch milliseconds) by a periodic cleanup.
create table rate_limit_buckets (
  id         text primary key,
  state      bytea,
  expires_at bigint
);

create index rate_limit_buckets_expires_at on rate_limit_buckets (expires_at);
