-- 023_sellthrough.sql -- the sell-through cache's staleness check reads
-- the newest change to a company's stores (metrics/sellthrough.c): with
-- this index it is one index lookup instead of a scan of every store.
ALTER TABLE stores
    ADD INDEX IF NOT EXISTS ix_stores_updated (tenant_id, updated_at);
