-- Loop's prompt templates, beside V10: which workspaces have had Loop's default templates,
-- and an improvement issue claimed before it is written.

-- Each workspace gets Loop's default templates (one per issue type) once, the first time it
-- uses templates; this row says it did, so that a default the workspace deletes stays deleted.
create table engine_template_defaults (
    owner_id   text        primary key,
    seeded_at  timestamptz not null default now()
);

-- A review that pushes a version over the threshold claims the version's one improvement
-- issue (update ... where improvement_issue_id is null) and only then writes that issue, in
-- the same transaction: the reference is checked at commit, when the issue exists.
alter table engine_template_versions
    alter constraint engine_template_versions_improvement_issue_id_fkey
    deferrable initially deferred;
