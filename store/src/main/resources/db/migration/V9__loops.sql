-- loopat's loops: long-lived conversations with a coding agent. A loop's queue and its
-- running turn are held by its Temporal workflow; these tables are the read model and the
-- store of record for what must outlive any process: the loops, every turn and its
-- message, every event streamed (sequence-numbered per loop, for Last-Event-ID), the
-- choices a turn asked, and Idempotency-Keys of POST /messages (24 hours).

create table loops (
    id             text        primary key,                 -- loop_<uuid>
    owner_id       text        not null,                    -- the workspace
    created_by     text        not null,                    -- user id, or key:<id>
    creator_name   text        not null,                    -- username or key name
    title          text        not null,
    metadata       jsonb       not null default '{}',
    profiles       text[]      not null default '{}',
    vault          text,
    repo           text,
    archived       boolean     not null default false,
    archived_at    timestamptz,
    created_at     timestamptz not null default now(),
    last_active_at timestamptz not null default now(),
    turn_count     integer     not null default 0,
    agent_session  text,                                    -- the agent's --resume session
    next_seq       bigint      not null default 0           -- the last event's seq
);
create index loops_by_creator on loops (owner_id, created_by, last_active_at desc, id desc);

create table loop_turns (
    id               text        primary key,               -- turn_<uuid>
    loop_id          text        not null references loops (id),
    number           integer     not null,
    content          text        not null,
    permission_mode  text,
    status           text        not null default 'queued', -- queued|running|done|interrupted|error
    error_code       text,
    error_message    text,
    key_id           text,                                  -- the turn's MCP key while it runs
    pending_choice   text,                                  -- choice_<...> awaiting an answer
    created_at       timestamptz not null default now(),
    started_at       timestamptz,
    ended_at         timestamptz,
    unique (loop_id, number)
);
create index loop_turns_open on loop_turns (loop_id, number) where status in ('queued', 'running');
create index loop_turns_key on loop_turns (key_id) where key_id is not null;

create table loop_events (
    loop_id    text        not null references loops (id),
    seq        bigint      not null,
    turn_id    text,
    event      text        not null,
    data       jsonb       not null,
    dedupe     text,                                        -- one event per (loop, dedupe)
    created_at timestamptz not null default now(),
    primary key (loop_id, seq)
);
create unique index loop_events_dedupe on loop_events (loop_id, dedupe) where dedupe is not null;
create index loop_events_turn on loop_events (turn_id, seq);

create table loop_choices (
    id              text        primary key,                -- choice_<interrupt uuid>
    interrupt_id    uuid        not null unique,
    loop_id         text        not null references loops (id),
    turn_id         text        not null references loop_turns (id),
    kind            text        not null,                   -- permission | question
    payload         jsonb       not null,
    created_at      timestamptz not null default now(),
    resolved_at     timestamptz,
    resolved_source text                                     -- api | web
);

create table loop_idempotency (
    caller_id    text        not null,
    key          text        not null,
    request_hash text        not null,
    loop_id      text        not null references loops (id),
    turn_id      text        not null references loop_turns (id),
    created_at   timestamptz not null default now(),
    primary key (caller_id, key)
);
create index loop_idempotency_age on loop_idempotency (created_at);
