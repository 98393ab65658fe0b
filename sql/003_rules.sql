-- 003_rules.sql -- tenant rule sets: versions, their scripts, drafts, and
-- the version each tenant runs.
--
-- A version is the whole rule set (every script) as published; versions
-- are never changed or deleted.  Publishing and rolling back both add a
-- version.  Drafts are edits not yet published.

CREATE TABLE IF NOT EXISTS rule_versions (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_id   BIGINT UNSIGNED NOT NULL,
    version     INT UNSIGNED    NOT NULL,
    author_id   BIGINT UNSIGNED NULL,
    comment     VARCHAR(500)    NOT NULL DEFAULT '',
    created_at  DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uk_rule_versions (tenant_id, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS rule_sources (
    tenant_id   BIGINT UNSIGNED NOT NULL,
    version_id  BIGINT UNSIGNED NOT NULL,
    name        VARCHAR(32) CHARACTER SET ascii NOT NULL,
    source      MEDIUMTEXT      NOT NULL,
    sha256      CHAR(64) CHARACTER SET ascii NOT NULL,
    PRIMARY KEY (tenant_id, version_id, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS rule_drafts (
    tenant_id   BIGINT UNSIGNED NOT NULL,
    name        VARCHAR(32) CHARACTER SET ascii NOT NULL,
    source      MEDIUMTEXT      NOT NULL,
    updated_by  BIGINT UNSIGNED NULL,
    updated_at  DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (tenant_id, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The version each tenant's workers run (they look it up at most every
-- half second, so a publish takes effect everywhere within a second).
CREATE TABLE IF NOT EXISTS tenant_rules (
    tenant_id     BIGINT UNSIGNED NOT NULL,
    version_id    BIGINT UNSIGNED NOT NULL,
    published_at  DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (tenant_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
