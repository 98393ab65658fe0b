-- 017_fact_log.sql -- the change sequence the metrics engine catches up
-- from (module/metrics/facts.h).
--
-- Every worker of every host keeps a tenant's metric facts in memory
-- (activities, stage moves, owners, people) and, before answering, reads
-- the rows added here since it last looked: one indexed range of the
-- primary key, usually empty.  The rows are written by triggers in the
-- same transaction as the change, so no write path (a page, the API, an
-- import, the CLI, a job, or SQL typed by an operator) can change a metric
-- without the engine hearing of it.  A bulk writer (the demo) sets
-- @proofline_bulk = 1 on its connection, writes one 'reload' row (kind 9)
-- at the end instead, and the engines load the tenant again.
--
-- Rows are only needed for a while: the alerts job deletes those older
-- than a day, and an engine idle for longer loads the tenant afresh.

CREATE TABLE IF NOT EXISTS fact_log (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_id    BIGINT UNSIGNED NOT NULL,
    kind         TINYINT UNSIGNED NOT NULL
                 COMMENT '1/2/3 activity added/changed/removed, 4 stage move, 5 customer owner, 7 people, 9 reload',
    ref_id       BIGINT UNSIGNED NOT NULL DEFAULT 0
                 COMMENT 'the activity, stage event, customer or user',
    customer_id  BIGINT UNSIGNED NOT NULL DEFAULT 0,
    user_id      BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'rep or owner',
    at           DATETIME(3)     NULL,
    flag         TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'effective',
    old_customer BIGINT UNSIGNED NOT NULL DEFAULT 0,
    old_user     BIGINT UNSIGNED NOT NULL DEFAULT 0,
    old_at       DATETIME(3)     NULL,
    old_flag     TINYINT UNSIGNED NOT NULL DEFAULT 0,
    from_stage   VARCHAR(64)     NULL,
    to_stage     VARCHAR(64)     NULL,
    reason       VARCHAR(64)     NULL,
    created_at   DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    KEY ix_fact_log_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TRIGGER IF NOT EXISTS tr_activities_fact_add
    AFTER INSERT ON activities FOR EACH ROW
BEGIN
    IF @proofline_bulk IS NULL THEN
        INSERT INTO fact_log (tenant_id, kind, ref_id, customer_id, user_id,
                              at, flag)
        VALUES (NEW.tenant_id, 1, NEW.id, NEW.customer_id, NEW.rep_id,
                NEW.at, NEW.effective);
    END IF;
END;

CREATE TRIGGER IF NOT EXISTS tr_activities_fact_change
    AFTER UPDATE ON activities FOR EACH ROW
BEGIN
    IF @proofline_bulk IS NULL AND (NEW.effective <> OLD.effective
            OR NEW.at <> OLD.at OR NEW.customer_id <> OLD.customer_id
            OR NEW.rep_id <> OLD.rep_id) THEN
        INSERT INTO fact_log (tenant_id, kind, ref_id, customer_id, user_id,
                              at, flag, old_customer, old_user, old_at,
                              old_flag)
        VALUES (NEW.tenant_id, 2, NEW.id, NEW.customer_id, NEW.rep_id,
                NEW.at, NEW.effective, OLD.customer_id, OLD.rep_id, OLD.at,
                OLD.effective);
    END IF;
END;

CREATE TRIGGER IF NOT EXISTS tr_activities_fact_remove
    AFTER DELETE ON activities FOR EACH ROW
BEGIN
    IF @proofline_bulk IS NULL THEN
        INSERT INTO fact_log (tenant_id, kind, ref_id, old_customer,
                              old_user, old_at, old_flag)
        VALUES (OLD.tenant_id, 3, OLD.id, OLD.customer_id, OLD.rep_id,
                OLD.at, OLD.effective);
    END IF;
END;

CREATE TRIGGER IF NOT EXISTS tr_stage_events_fact
    AFTER INSERT ON stage_events FOR EACH ROW
BEGIN
    IF @proofline_bulk IS NULL THEN
        INSERT INTO fact_log (tenant_id, kind, ref_id, customer_id, at,
                              from_stage, to_stage, reason)
        VALUES (NEW.tenant_id, 4, NEW.id, NEW.customer_id, NEW.at,
                NEW.from_stage, NEW.to_stage, NEW.lost_reason);
    END IF;
END;

CREATE TRIGGER IF NOT EXISTS tr_customers_fact_add
    AFTER INSERT ON customers FOR EACH ROW
BEGIN
    IF @proofline_bulk IS NULL THEN
        INSERT INTO fact_log (tenant_id, kind, ref_id, customer_id, user_id)
        VALUES (NEW.tenant_id, 5, NEW.id, NEW.id, NEW.owner_id);
    END IF;
END;

CREATE TRIGGER IF NOT EXISTS tr_customers_fact_owner
    AFTER UPDATE ON customers FOR EACH ROW
BEGIN
    IF @proofline_bulk IS NULL AND NEW.owner_id <> OLD.owner_id THEN
        INSERT INTO fact_log (tenant_id, kind, ref_id, customer_id, user_id,
                              old_user)
        VALUES (NEW.tenant_id, 5, NEW.id, NEW.id, NEW.owner_id, OLD.owner_id);
    END IF;
END;

CREATE TRIGGER IF NOT EXISTS tr_users_fact_add
    AFTER INSERT ON users FOR EACH ROW
BEGIN
    IF @proofline_bulk IS NULL THEN
        INSERT INTO fact_log (tenant_id, kind, ref_id)
        VALUES (NEW.tenant_id, 7, NEW.id);
    END IF;
END;

CREATE TRIGGER IF NOT EXISTS tr_users_fact_change
    AFTER UPDATE ON users FOR EACH ROW
BEGIN
    IF @proofline_bulk IS NULL AND (NEW.active <> OLD.active
            OR NEW.role <> OLD.role
            OR NOT (NEW.manager_id <=> OLD.manager_id)
            OR NEW.display_name <> OLD.display_name) THEN
        INSERT INTO fact_log (tenant_id, kind, ref_id)
        VALUES (NEW.tenant_id, 7, NEW.id);
    END IF;
END;
