-- Users, and what API keys need beyond V1 for key management by users.

-- People who log in (Loopgate's /api/auth). A user's id is the owner id of everything it
-- creates. Usernames are unique regardless of case; the password is an Argon2id hash in
-- PHC string form ($argon2id$v=19$m=...,t=...,p=...$salt$hash).
create table users (
    id            uuid primary key,
    username      text        not null,
    password_hash text        not null,
    created_at    timestamptz not null default now()
);
create unique index users_username_ci on users (lower(username));

-- label: the user's description of a key (Loopgate), null when none was given.
-- rate_limit: requests per sliding minute for this key; null or <= 0 means unlimited.
alter table api_keys add column label      text;
alter table api_keys add column rate_limit integer;

-- Secrets the server generates for itself and must keep across restarts, e.g. the JWT
-- signing secret in embedded mode when none is configured.
create table server_secrets (
    name       text primary key,
    value      text        not null,
    created_at timestamptz not null default now()
);
