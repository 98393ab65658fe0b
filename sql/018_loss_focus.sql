-- 018_loss_focus.sql -- the stage under loss focus (锁定高频流失环节).
--
-- The alerts job names, each run, the stage where most of a company's
-- customers were lost lately (stages.lua loss_focus: at least min_losses
-- in window_days); no row when no stage qualifies.  While a stage is
-- named here, entering it also needs the rules' loss_focus evidence (the
-- gate reads this row in the stage change's transaction) and the
-- customer pages list those items.
CREATE TABLE IF NOT EXISTS loss_focus (
    tenant_id  BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    stage      VARCHAR(64)     NOT NULL,
    losses     INT UNSIGNED    NOT NULL
               COMMENT 'customers lost from the stage in the window',
    since      DATETIME(3)     NOT NULL
               COMMENT 'when the stage came under focus',
    checked_at DATETIME(3)     NOT NULL
               COMMENT 'the alerts run that last confirmed it',
    CONSTRAINT fk_loss_focus_tenant FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
