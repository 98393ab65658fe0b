-- 021_stores.sql -- a retail chain's store network, new-product campaigns
-- and the POS sales they are measured by (issue 16).
--
-- A store is visited like a customer: each store has a customer record of
-- kind 'store' (customer_id) that visits, shelf photos and audits attach
-- to, owned by the store's area supervisor.  Those customers are not part
-- of the sales pipeline (the pipeline metrics leave kind 'store' out).

CREATE TABLE IF NOT EXISTS stores (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_id     BIGINT UNSIGNED NOT NULL,
    code          VARCHAR(32)     NOT NULL COMMENT 'the POS store code, unique per company',
    name          VARCHAR(200)    NOT NULL,
    address       VARCHAR(500)    NOT NULL DEFAULT '',
    lat           DECIMAL(9,6)    NULL,
    lng           DECIMAL(9,6)    NULL,
    region        VARCHAR(100)    NOT NULL DEFAULT '',
    supervisor_id BIGINT UNSIGNED NULL COMMENT 'the area supervisor (督导)',
    format        ENUM('direct','franchise') NOT NULL DEFAULT 'direct',
    opened_on     DATE            NULL COMMENT 'first trading day (local)',
    closed_on     DATE            NULL COMMENT 'first day it no longer trades; NULL: open',
    customer_id   BIGINT UNSIGNED NULL COMMENT 'the customer record visits attach to',
    created_at    DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at    DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                  ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uk_stores_code (tenant_id, code),
    KEY ix_stores_supervisor (tenant_id, supervisor_id),
    KEY ix_stores_region (tenant_id, region),
    KEY ix_stores_customer (tenant_id, customer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The store manager user(s) of a store.
CREATE TABLE IF NOT EXISTS store_managers (
    tenant_id   BIGINT UNSIGNED NOT NULL,
    store_id    BIGINT UNSIGNED NOT NULL,
    user_id     BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (tenant_id, store_id, user_id),
    KEY ix_store_managers_user (tenant_id, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- When a product came (or comes) to market.
ALTER TABLE products ADD COLUMN IF NOT EXISTS launch_on DATE NULL
    COMMENT 'launch day (local); NULL: not a dated launch';

-- A new-product campaign: the product, its launch day, the stores it
-- targets (all_stores, or the rows of campaign_stores) and the talk-track
-- pack marketing attaches for supervisors (campaign_files).
CREATE TABLE IF NOT EXISTS campaigns (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_id   BIGINT UNSIGNED NOT NULL,
    product_id  BIGINT UNSIGNED NOT NULL,
    name        VARCHAR(200)    NOT NULL,
    launch_on   DATE            NOT NULL COMMENT 'day 1 of the first week (local)',
    all_stores  TINYINT(1)      NOT NULL DEFAULT 1,
    note        VARCHAR(2000)   NOT NULL DEFAULT '',
    active      TINYINT(1)      NOT NULL DEFAULT 1,
    created_by  BIGINT UNSIGNED NULL,
    created_at  DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at  DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uk_campaigns_launch (tenant_id, product_id, launch_on),
    KEY ix_campaigns_active (tenant_id, active, launch_on)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS campaign_stores (
    tenant_id   BIGINT UNSIGNED NOT NULL,
    campaign_id BIGINT UNSIGNED NOT NULL,
    store_id    BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (tenant_id, campaign_id, store_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS campaign_files (
    tenant_id   BIGINT UNSIGNED NOT NULL,
    campaign_id BIGINT UNSIGNED NOT NULL,
    file_id     BIGINT UNSIGNED NOT NULL,
    added_by    BIGINT UNSIGNED NULL,
    added_at    DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (tenant_id, campaign_id, file_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
