-- AgentGate's webhooks can be switched off and on (PATCH /api/webhooks/{id} {enabled}).
-- A disabled webhook stays listed but receives no deliveries; `active` still means "not
-- deleted", so the two never mix.
alter table webhooks add column enabled boolean not null default true;
