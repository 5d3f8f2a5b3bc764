-- Loop's approval gate: a decided interrupt finds the issue it gates by approval_interrupt_id
-- (on every interrupt transition, from any instance), and the start-up pass finds issues
-- still waiting on a decided interrupt. Without an index each was a scan of engine_issues.
create index engine_issues_by_approval on engine_issues (approval_interrupt_id)
    where approval_interrupt_id is not null;
