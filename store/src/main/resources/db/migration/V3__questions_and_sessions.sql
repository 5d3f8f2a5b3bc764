-- Questions with options or free-text answers (Loopgate), and Loopgate's agent sessions.
-- (V2 is the identity migration.)

alter table interrupts
    add column request_type text,          -- confirmation | input | choice; null: approval
    add column options      jsonb,         -- the answers a person may pick, if any
    add column response     text,          -- the person's answer (chosen option or free text)
    add column session_id   text;          -- Loopgate session the request belongs to

create index interrupts_owner_pending on interrupts (owner_id, created_at desc)
    where status = 'pending';

create table hitl_sessions (
    owner_id    text        not null,
    session_id  text        not null,
    client_id   text        not null,
    telegram_id bigint,
    active      boolean     not null default true,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    primary key (owner_id, session_id)
);
