-- Loop, the improvement engine (the fifth dialect): signals become issues, agents claim the
-- best unblocked issue with a prompt rendered from versioned templates, and review the
-- prompts. Every row belongs to a workspace (owner_id), as interrupts do. Ids are
-- <kind>_<uuid>. Timestamps are UTC. Deleting is soft (deleted_at) where Loop's API says so.
-- A claim's lease is a Temporal workflow; engine_dispatches is its record.

create table engine_counters (
    owner_id    text    primary key,
    next_issue  integer not null default 0        -- the last issue number given out
);

create table engine_projects (
    id          text        primary key,          -- proj_<uuid>
    owner_id    text        not null,
    name        text        not null,
    description text,
    status      text        not null default 'backlog'
        check (status in ('backlog', 'planned', 'active', 'paused', 'completed', 'canceled')),
    health      text        not null default 'on_track'
        check (health in ('on_track', 'at_risk', 'off_track')),
    goal_id     text,                               -- engine_goals.id (no FK: goals point back)
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    deleted_at  timestamptz
);
create index engine_projects_by_owner on engine_projects (owner_id, created_at desc);

create table engine_goals (
    id            text             primary key,     -- goal_<uuid>
    owner_id      text             not null,
    title         text             not null,
    description   text,
    metric        text,
    target_value  double precision,
    current_value double precision,
    unit          text,
    status        text             not null default 'active'
        check (status in ('active', 'achieved', 'abandoned')),
    project_id    text             references engine_projects (id),
    created_at    timestamptz      not null default now(),
    updated_at    timestamptz      not null default now(),
    deleted_at    timestamptz
);
create index engine_goals_by_owner on engine_goals (owner_id, created_at desc);
create index engine_goals_by_project on engine_goals (project_id) where deleted_at is null;

create table engine_issues (
    id                 text        primary key,     -- iss_<uuid>
    owner_id           text        not null,
    number             integer     not null,        -- per workspace, from 1
    title              text        not null,
    description        text,
    type               text        not null
        check (type in ('signal', 'hypothesis', 'plan', 'task', 'monitor')),
    status             text        not null default 'triage'
        check (status in ('triage', 'backlog', 'todo', 'in_progress', 'done', 'canceled')),
    priority           integer     not null default 0 check (priority between 0 and 4),
    parent_id          text        references engine_issues (id),
    project_id         text        references engine_projects (id),
    signal_source      text,
    signal_payload     jsonb,
    hypothesis         jsonb,
    agent_session_id   text,
    agent_summary      text,
    commits            jsonb,
    pull_requests      jsonb,
    -- Interlock's person in the loop: dispatch skips the issue until a person approves it
    -- (approval_interrupt_id: the core interrupt that asks).
    requires_approval  boolean     not null default false,
    approval_interrupt_id text,
    completed_at       timestamptz,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now(),
    deleted_at         timestamptz,
    unique (owner_id, number)
);
create index engine_issues_by_owner on engine_issues (owner_id, created_at desc)
    where deleted_at is null;
create index engine_issues_queue on engine_issues (owner_id, priority, created_at)
    where status = 'todo' and deleted_at is null;
create index engine_issues_by_parent on engine_issues (parent_id) where parent_id is not null;
create index engine_issues_by_project on engine_issues (project_id) where project_id is not null;

create table engine_labels (
    id          text        primary key,            -- lbl_<uuid>
    owner_id    text        not null,
    name        text        not null,
    color       text        not null,
    created_at  timestamptz not null default now(),
    deleted_at  timestamptz
);
create unique index engine_labels_name on engine_labels (owner_id, lower(name))
    where deleted_at is null;

create table engine_issue_labels (
    issue_id  text not null references engine_issues (id),
    label_id  text not null references engine_labels (id),
    primary key (issue_id, label_id)
);
create index engine_issue_labels_by_label on engine_issue_labels (label_id);

create table engine_relations (
    id                text        primary key,      -- rel_<uuid>
    owner_id          text        not null,
    type              text        not null
        check (type in ('blocks', 'blocked_by', 'related', 'duplicate')),
    issue_id          text        not null references engine_issues (id),
    related_issue_id  text        not null references engine_issues (id),
    created_at        timestamptz not null default now(),
    unique (issue_id, related_issue_id, type),
    check (issue_id <> related_issue_id)
);
create index engine_relations_by_related on engine_relations (related_issue_id);

create table engine_comments (
    id           text        primary key,           -- cmt_<uuid>
    owner_id     text        not null,
    issue_id     text        not null references engine_issues (id),
    body         text        not null,
    author_name  text        not null,
    author_type  text        not null check (author_type in ('human', 'agent')),
    parent_id    text        references engine_comments (id),
    created_at   timestamptz not null default now()
);
create index engine_comments_by_issue on engine_comments (issue_id, created_at);

create table engine_signals (
    id            text        primary key,          -- sig_<uuid>
    owner_id      text        not null,
    source        text        not null,
    source_id     text,
    type          text        not null,
    severity      text        not null check (severity in ('low', 'medium', 'high', 'critical')),
    payload       jsonb       not null default '{}',
    issue_id      text        not null references engine_issues (id),
    -- A provider webhook's delivery id (GitHub's X-GitHub-Delivery, Sentry's request id) or
    -- the body's hash: a redelivery finds its signal here and stores nothing.
    delivery_key  text,
    created_at    timestamptz not null default now()
);
create unique index engine_signals_delivery on engine_signals (owner_id, source, delivery_key)
    where delivery_key is not null;
create index engine_signals_by_owner on engine_signals (owner_id, created_at desc);
create index engine_signals_by_issue on engine_signals (issue_id);

create table engine_templates (
    id                 text        primary key,     -- tpl_<uuid>
    owner_id           text        not null,
    slug               text        not null,
    name               text        not null,
    description        text,
    conditions         jsonb       not null default '{}',
    specificity        integer     not null default 10,
    project_id         text        references engine_projects (id),
    active_version_id  text,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now(),
    deleted_at         timestamptz
);
create unique index engine_templates_slug on engine_templates (owner_id, slug)
    where deleted_at is null;

create table engine_template_versions (
    id                 text             primary key,  -- ver_<uuid>
    template_id        text             not null references engine_templates (id),
    version            integer          not null,
    content            text             not null,
    changelog          text,
    author_type        text             not null check (author_type in ('human', 'agent')),
    author_name        text             not null,
    status             text             not null default 'draft'
        check (status in ('active', 'draft', 'retired')),
    usage_count        integer          not null default 0,
    completion_rate    double precision,
    avg_duration_ms    double precision,
    review_score       double precision,              -- EWMA of the reviews' composites
    review_count       integer          not null default 0,
    -- The improvement issue a poor score opened (at most one per version).
    improvement_issue_id text           references engine_issues (id),
    created_at         timestamptz      not null default now(),
    unique (template_id, version)
);

create table engine_prompt_reviews (
    id            text        primary key,          -- rev_<uuid>
    owner_id      text        not null,
    version_id    text        not null references engine_template_versions (id),
    issue_id      text        not null references engine_issues (id),
    clarity       integer     not null check (clarity between 1 and 5),
    completeness  integer     not null check (completeness between 1 and 5),
    relevance     integer     not null check (relevance between 1 and 5),
    feedback      text,
    author_type   text        not null check (author_type in ('human', 'agent')),
    created_at    timestamptz not null default now()
);
create index engine_prompt_reviews_by_version on engine_prompt_reviews (version_id, created_at desc);

-- A claim of an issue by an agent (dispatch/next): its lease is a Temporal workflow
-- (workflow id engine-lease-<id>); this row records it for the dashboard, the prompt's
-- previous sessions, and the lease's end.
create table engine_dispatches (
    id            text        primary key,          -- dsp_<uuid>
    owner_id      text        not null,
    issue_id      text        not null references engine_issues (id),
    version_id    text        references engine_template_versions (id),
    claimed_by    text        not null,             -- key:<id> or user:<id>
    key_id        text,                             -- the key minted for the agent, if any
    claimed_at    timestamptz not null default now(),
    lease_until   timestamptz not null,
    heartbeat_at  timestamptz,
    ended_at      timestamptz,
    outcome       text        check (outcome in ('completed', 'lapsed', 'released', 'canceled'))
);
create index engine_dispatches_by_issue on engine_dispatches (issue_id, claimed_at desc);
create unique index engine_dispatches_open on engine_dispatches (issue_id) where ended_at is null;
