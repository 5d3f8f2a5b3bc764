-- Workspaces: the people who decide (issue 18).
--
-- Every owner_id column keeps its name and now holds a workspace id. Each owner that
-- existed before becomes a workspace of its own: a user's id for what a user created, and
-- "admin" for what the admin key created (the default workspace).

create table workspaces (
    id         text primary key,
    name       text        not null,
    created_at timestamptz not null default now()
);

insert into workspaces (id, name)
select u.id::text, u.username from users u
on conflict do nothing;

insert into workspaces (id, name)
select o.owner_id, case when o.owner_id = 'admin' then 'Default' else o.owner_id end
  from (select owner_id from api_keys
        union select owner_id from interrupts
        union select owner_id from policies
        union select owner_id from webhooks
        union select owner_id from hitl_sessions
        union select owner_id from owner_secrets
        union select 'admin') o
on conflict do nothing;

-- Who may do what in a workspace: admin (everything: members, keys, policies), reviewer
-- (sees and decides the workspace's interrupts), viewer (reads only).
create table workspace_members (
    workspace_id text        not null references workspaces (id),
    user_id      uuid        not null references users (id),
    role         text        not null check (role in ('admin', 'reviewer', 'viewer')),
    created_at   timestamptz not null default now(),
    primary key (workspace_id, user_id)
);
create index workspace_members_user on workspace_members (user_id);

insert into workspace_members (workspace_id, user_id, role)
select u.id::text, u.id, 'admin' from users u;

-- The workspace a user works in (the dashboard's switcher); null: the user's own.
alter table users add column current_workspace text references workspaces (id);

-- The user who minted a key, when a user did (Loopgate's session owner is that user).
alter table api_keys add column created_by uuid references users (id);
update api_keys k set created_by = u.id from users u where k.owner_id = u.id::text;

-- A named set of members, e.g. "finance". Names are unique per workspace in any case.
create table reviewer_groups (
    workspace_id text        not null references workspaces (id),
    name         text        not null,
    created_at   timestamptz not null default now(),
    primary key (workspace_id, name)
);
create unique index reviewer_groups_name_ci on reviewer_groups (workspace_id, lower(name));

create table reviewer_group_members (
    workspace_id text not null,
    group_name   text not null,
    user_id      uuid not null references users (id),
    primary key (workspace_id, group_name, user_id),
    foreign key (workspace_id, group_name) references reviewer_groups (workspace_id, name)
        on delete cascade
);

-- Invitation links an admin creates: the link carries the id and a signature; it is good
-- once, until it expires.
create table invitations (
    id           uuid primary key,
    workspace_id text        not null references workspaces (id),
    role         text        not null check (role in ('admin', 'reviewer', 'viewer')),
    created_by   uuid        not null references users (id),
    created_at   timestamptz not null default now(),
    expires_at   timestamptz not null,
    accepted_by  uuid references users (id),
    accepted_at  timestamptz,
    revoked_at   timestamptz
);
create index invitations_workspace on invitations (workspace_id, created_at desc);

-- Who is asked, and how many must approve.
-- reviewers: names of reviewer groups or usernames the interrupt is routed to (a policy's
--   route_to_human, or the create); empty when anyone who may decide in the workspace may.
-- required_approvals: approvals that settle it (quorum); the first rejection settles too.
-- decided_by_id: the stable id of who decided ("user:<uuid>", "key:<id>", "policy:<id>",
--   "system:expiry"); decided_by keeps the name a person reads.
alter table interrupts add column reviewers          text[]  not null default '{}';
alter table interrupts add column required_approvals integer not null default 1
    check (required_approvals between 1 and 10);
alter table interrupts add column decided_by_id      text;
-- assignee: the person asked (a username or user id): AgentGate's assignee, Loopgate's
--   session owner (the user who minted the key). LoopIn's userId stays in user_id. Being
--   asked puts an interrupt first in that person's inbox; it does not limit who decides.
alter table interrupts add column assignee           text;

-- Each approval towards a quorum, once per approver.
create table interrupt_approvals (
    interrupt_id uuid        not null references interrupts (id),
    approver_id  text        not null,
    approver     text        not null,
    at           timestamptz not null,
    reason       text,
    primary key (interrupt_id, approver_id)
);
