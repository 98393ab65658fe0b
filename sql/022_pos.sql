-- 022_pos.sql -- POS sales lines, their imports, and the rollups the
-- sell-through metrics read (issue 16).
--
-- pos_sales has its primary key and nothing else, so that a bulk import
-- writes at LOAD DATA speed: the key (store, receipt, line) makes
-- re-importing a file or an overlapping period harmless.  The rollups are
-- kept current by the import, in the import's transaction, from the lines
-- it actually added.

CREATE TABLE IF NOT EXISTS pos_sales (
    tenant_id   BIGINT UNSIGNED NOT NULL,
    store_id    BIGINT UNSIGNED NOT NULL,
    receipt     VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    line        INT UNSIGNED    NOT NULL,
    sold_at     DATETIME        NOT NULL COMMENT 'UTC',
    day         DATE            NOT NULL COMMENT 'the local day of sold_at',
    product_id  BIGINT UNSIGNED NOT NULL,
    qty         INT             NOT NULL COMMENT 'units; negative: a return',
    amount_fen  BIGINT          NOT NULL,
    member      VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL
                COMMENT 'loyalty id (or its hash) as the POS sent it',
    import_id   BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (tenant_id, store_id, receipt, line)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One import: who, which file, how far, what it found.
CREATE TABLE IF NOT EXISTS pos_imports (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_id   BIGINT UNSIGNED NOT NULL,
    source      VARCHAR(16)     NOT NULL COMMENT 'page, api, cli, incoming',
    file_name   VARCHAR(255)    NOT NULL DEFAULT '',
    file_id     BIGINT UNSIGNED NULL COMMENT 'the uploaded file (page, api)',
    sha256      CHAR(64) CHARACTER SET ascii NOT NULL DEFAULT '',
    mode        ENUM('all','keep') NOT NULL DEFAULT 'all'
                COMMENT 'all: refuse the file on any bad line; keep: keep good lines',
    status      ENUM('queued','validating','storing','done','refused','failed')
                NOT NULL DEFAULT 'queued',
    progress    TINYINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'percent',
    encoding    VARCHAR(16)     NOT NULL DEFAULT '',
    lines_total BIGINT UNSIGNED NOT NULL DEFAULT 0,
    lines_added BIGINT UNSIGNED NOT NULL DEFAULT 0,
    lines_dup   BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'already stored',
    lines_bad   BIGINT UNSIGNED NOT NULL DEFAULT 0,
    problems    MEDIUMTEXT      NULL COMMENT 'JSON [{line, field, problem}], the first 100',
    day_from    DATE            NULL,
    day_to      DATE            NULL,
    created_by  BIGINT UNSIGNED NULL,
    created_at  DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    finished_at DATETIME(3)     NULL,
    PRIMARY KEY (id),
    KEY ix_pos_imports_tenant (tenant_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Per company: the lock imports take (one at a time), and a version that
-- every import and every campaign change bumps (the metrics cache key).
CREATE TABLE IF NOT EXISTS pos_state (
    tenant_id   BIGINT UNSIGNED NOT NULL,
    version     BIGINT UNSIGNED NOT NULL DEFAULT 0,
    updated_at  DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (tenant_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- All units and sales of a store per local day.
CREATE TABLE IF NOT EXISTS pos_store_days (
    tenant_id   BIGINT UNSIGNED NOT NULL,
    day         DATE            NOT NULL,
    store_id    BIGINT UNSIGNED NOT NULL,
    units       BIGINT          NOT NULL,
    amount_fen  BIGINT          NOT NULL,
    `lines`     BIGINT UNSIGNED NOT NULL COMMENT 'LINES is a reserved word: quote it',
    PRIMARY KEY (tenant_id, day, store_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Units of a campaign's product per store and local day (products with a
-- campaign only; a new campaign fills it from pos_sales).
CREATE TABLE IF NOT EXISTS pos_days (
    tenant_id   BIGINT UNSIGNED NOT NULL,
    product_id  BIGINT UNSIGNED NOT NULL,
    day         DATE            NOT NULL,
    store_id    BIGINT UNSIGNED NOT NULL,
    units       BIGINT          NOT NULL,
    amount_fen  BIGINT          NOT NULL,
    PRIMARY KEY (tenant_id, product_id, day, store_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A member's first two purchases (on different receipts) of a campaign's
-- product in a store: enough for "bought it again within 30 days".
CREATE TABLE IF NOT EXISTS pos_members (
    tenant_id   BIGINT UNSIGNED NOT NULL,
    product_id  BIGINT UNSIGNED NOT NULL,
    store_id    BIGINT UNSIGNED NOT NULL,
    member      VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    first_at    DATETIME        NOT NULL COMMENT 'UTC',
    first_day   DATE            NOT NULL COMMENT 'local',
    first_receipt VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    again_at    DATETIME        NULL COMMENT 'UTC: the next purchase on another receipt',
    again_day   DATE            NULL COMMENT 'local',
    PRIMARY KEY (tenant_id, product_id, store_id, member)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The computed per-store components of a campaign's metrics as of a day,
-- valid while pos_state.version is unchanged (metrics/sellthrough.h).
CREATE TABLE IF NOT EXISTS sellthrough_cache (
    tenant_id   BIGINT UNSIGNED NOT NULL,
    campaign_id BIGINT UNSIGNED NOT NULL,
    as_of       DATE            NOT NULL,
    version     BIGINT UNSIGNED NOT NULL,
    body        MEDIUMBLOB      NOT NULL,
    computed_at DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (tenant_id, campaign_id, as_of)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
