-- Interlock's store of record for everything that is not a wait, and the read model of
-- every interrupt (projected by workflow activities).

-- API keys. Only the SHA-256 hash of a key is stored; the plaintext is shown once.
create table api_keys (
    id           text primary key,
    owner_id     text        not null,
    name         text        not null,
    key_hash     text        not null unique,
    key_prefix   text        not null,
    scopes       text[]      not null default '{}',
    created_at   timestamptz not null default now(),
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz
);
create index api_keys_owner on api_keys (owner_id);

-- Per-owner secrets, e.g. the key that signs outbound callbacks.
create table owner_secrets (
    owner_id        text primary key,
    callback_secret text        not null,
    created_at      timestamptz not null default now()
);

create table interrupts (
    id               uuid primary key,
    owner_id         text        not null,
    source           text        not null,
    agent_id         text,
    user_id          text,
    action           text        not null,
    context          jsonb       not null default '{}'::jsonb,
    params           jsonb,
    urgency          text        not null,
    status           text        not null,
    decision         text,
    reason           text,
    modified_params  jsonb,
    decided_by       text,
    -- the Update id of the decide/cancel that settled it (idempotent retries)
    command_id       text,
    created_at       timestamptz not null,
    expires_at       timestamptz not null,
    decided_at       timestamptz,
    callback_url     text,
    -- none | pending | delivered | failed
    callback_state   text        not null default 'none',
    idempotency_key  text,
    constraint interrupts_status_check
        check (status in ('pending', 'approved', 'rejected', 'cancelled', 'expired')),
    constraint interrupts_callback_state_check
        check (callback_state in ('none', 'pending', 'delivered', 'failed'))
);
create unique index interrupts_idempotency on interrupts (owner_id, idempotency_key)
    where idempotency_key is not null;
create index interrupts_owner_created on interrupts (owner_id, created_at desc);
create index interrupts_owner_user_status on interrupts (owner_id, user_id, status, created_at desc);
create index interrupts_recoverable on interrupts (created_at)
    where status = 'pending' or callback_state = 'pending';

-- The audit trail: one row per thing that happened to an interrupt. Append-only.
create table interrupt_events (
    id           bigserial primary key,
    interrupt_id uuid        not null references interrupts (id),
    at           timestamptz not null default clock_timestamp(),
    event        text        not null,
    actor        text,
    details      jsonb       not null default '{}'::jsonb
);
create index interrupt_events_interrupt on interrupt_events (interrupt_id, id);

create function interrupt_events_append_only() returns trigger
    language plpgsql as
$$
begin
    raise exception 'interrupt_events is append-only';
end;
$$;
create trigger interrupt_events_no_update
    before update or delete on interrupt_events
    for each row execute function interrupt_events_append_only();
