-- 005_customer_indexes.sql -- an index for every sort order of the
-- customer list, so a page of 50 is read from an index at any size.

ALTER TABLE customers
    DROP INDEX IF EXISTS ix_customers_name,
    ADD INDEX IF NOT EXISTS ix_customers_name_full (tenant_id, name_key),
    ADD INDEX IF NOT EXISTS ix_customers_since (tenant_id, stage_since),
    ADD INDEX IF NOT EXISTS ix_customers_created (tenant_id, created_at),
    ADD INDEX IF NOT EXISTS ix_customers_amount (tenant_id, amount);
