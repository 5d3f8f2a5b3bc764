-- AgentGate: policies that can decide a request before a person sees it, webhooks with a
-- durable delivery log (one delivery per event and webhook, every attempt recorded), and
-- the confirmation of an executed action.

create table policies (
    id         text primary key,
    owner_id   text        not null,
    name       text        not null,
    priority   integer     not null default 100,
    enabled    boolean     not null default true,
    rules      jsonb       not null,
    -- bumped on every update, so an audit entry names the exact rules that decided
    version    integer     not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index policies_owner_priority on policies (owner_id, priority, created_at);

create table webhooks (
    id         text primary key,
    owner_id   text        not null,
    url        text        not null,
    events     text[]      not null,
    secret     text        not null,
    active     boolean     not null default true,
    created_at timestamptz not null default now()
);
create index webhooks_owner on webhooks (owner_id) where active;

-- The outbox: a delivery is written in the transaction that records its event, then a
-- workflow delivers it with retries. state: pending | delivered | failed
create table webhook_deliveries (
    id           text primary key,
    webhook_id   text        not null references webhooks (id),
    owner_id     text        not null,
    event        text        not null,
    interrupt_id uuid,
    payload      jsonb       not null,
    state        text        not null default 'pending',
    attempts     integer     not null default 0,
    last_status  integer,
    last_error   text,
    replay_of    text,
    created_at   timestamptz not null default clock_timestamp(),
    delivered_at timestamptz,
    constraint webhook_deliveries_state_check check (state in ('pending', 'delivered', 'failed'))
);
create index webhook_deliveries_webhook on webhook_deliveries (webhook_id, created_at desc);
create index webhook_deliveries_pending on webhook_deliveries (created_at) where state = 'pending';

create table webhook_attempts (
    id          bigserial primary key,
    delivery_id text        not null references webhook_deliveries (id),
    attempt     integer     not null,
    at          timestamptz not null default clock_timestamp(),
    outcome     text        not null,
    http_status integer,
    error       text,
    duration_ms integer     not null
);
create index webhook_attempts_delivery on webhook_attempts (delivery_id, id);

alter table interrupts
    add column confirmed_at   timestamptz,
    add column confirm_result jsonb;
