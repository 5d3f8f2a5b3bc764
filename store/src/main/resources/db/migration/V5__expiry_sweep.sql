-- The expiry sweep asks several times a second for pending interrupts whose deadline has
-- passed; this index answers that from the pending rows alone.
create index interrupts_pending_expiry on interrupts (expires_at)
    where status = 'pending';
