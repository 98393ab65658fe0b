-- 002_identity.sql -- sessions, API tokens, MFA, login throttling, the
-- manager hierarchy as a closure table, and the audit log.

ALTER TABLE users
    ADD COLUMN IF NOT EXISTS mfa_secret VARCHAR(255) CHARACTER SET ascii NULL
        COMMENT 'hex of nonce || crypto_secretbox(TOTP secret), secret_key',
    ADD COLUMN IF NOT EXISTS mfa_enabled TINYINT(1) NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS mfa_last_step BIGINT NOT NULL DEFAULT 0
        COMMENT 'last accepted TOTP time step (replay protection)',
    ADD COLUMN IF NOT EXISTS password_changed_at DATETIME(3) NULL,
    ADD COLUMN IF NOT EXISTS last_login_at DATETIME(3) NULL;

-- Every (ancestor, descendant) pair of the manager hierarchy, including
-- (u, u) with depth 0: "the team of m" is one indexed lookup, with constant
-- SQL, however deep the tree.
CREATE TABLE IF NOT EXISTS user_tree (
    tenant_id      BIGINT UNSIGNED NOT NULL,
    ancestor_id    BIGINT UNSIGNED NOT NULL,
    descendant_id  BIGINT UNSIGNED NOT NULL,
    depth          INT UNSIGNED    NOT NULL,
    PRIMARY KEY (tenant_id, ancestor_id, descendant_id),
    KEY ix_user_tree_desc (tenant_id, descendant_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Rebuild the closure for users that exist before this migration.
INSERT IGNORE INTO user_tree (tenant_id, ancestor_id, descendant_id, depth)
WITH RECURSIVE up (tenant_id, ancestor_id, descendant_id, depth) AS (
    SELECT tenant_id, id, id, 0 FROM users
    UNION ALL
    SELECT up.tenant_id, u.manager_id, up.descendant_id, up.depth + 1
    FROM up JOIN users u ON u.id = up.ancestor_id AND u.tenant_id = up.tenant_id
    WHERE u.manager_id IS NOT NULL AND up.depth < 64
)
SELECT tenant_id, ancestor_id, descendant_id, depth FROM up;

-- Browser sessions: only the SHA-256 (hex) of the 256-bit token is stored.
CREATE TABLE IF NOT EXISTS sessions (
    id            CHAR(64) CHARACTER SET ascii NOT NULL,
    num           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT
                  COMMENT 'a public handle for revoking one session',
    tenant_id     BIGINT UNSIGNED NOT NULL,
    user_id       BIGINT UNSIGNED NOT NULL,
    csrf          CHAR(43)        NOT NULL,
    mfa_state     ENUM('done','pending','enroll') NOT NULL DEFAULT 'done',
    created_at    DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    last_seen_at  DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    ip            VARCHAR(45)     NOT NULL DEFAULT '',
    user_agent    VARCHAR(255)    NOT NULL DEFAULT '',
    PRIMARY KEY (id),
    UNIQUE KEY uk_sessions_num (num),
    KEY ix_sessions_user (tenant_id, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS api_tokens (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_id     BIGINT UNSIGNED NOT NULL,
    user_id       BIGINT UNSIGNED NOT NULL,
    name          VARCHAR(100)    NOT NULL,
    token_hash    CHAR(64) CHARACTER SET ascii NOT NULL,
    prefix        CHAR(8)         NOT NULL,
    created_by    BIGINT UNSIGNED NULL,
    created_at    DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    expires_at    DATETIME(3)     NULL,
    last_used_at  DATETIME(3)     NULL,
    revoked_at    DATETIME(3)     NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_api_tokens_hash (token_hash),
    KEY ix_api_tokens_user (tenant_id, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS mfa_recovery_codes (
    tenant_id  BIGINT UNSIGNED NOT NULL,
    user_id    BIGINT UNSIGNED NOT NULL,
    code_hash  CHAR(64) CHARACTER SET ascii NOT NULL,
    used_at    DATETIME(3)     NULL,
    PRIMARY KEY (tenant_id, user_id, code_hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Login attempts, for throttling that holds across workers and hosts.
-- account_key = SHA-256(tenant code, NUL, lower-case login): known and
-- unknown accounts are throttled alike, so throttling reveals nothing.
CREATE TABLE IF NOT EXISTS login_attempts (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    at           DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    account_key  CHAR(64) CHARACTER SET ascii NOT NULL,
    ip           VARCHAR(45)     NOT NULL,
    ok           TINYINT(1)      NOT NULL,
    PRIMARY KEY (id),
    KEY ix_login_attempts_account (account_key, at),
    KEY ix_login_attempts_ip (ip, at),
    KEY ix_login_attempts_at (at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Append-only: the application never updates or deletes audit rows.
CREATE TABLE IF NOT EXISTS audit_log (
    id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_id        BIGINT UNSIGNED NULL,
    at               DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    actor_id         BIGINT UNSIGNED NULL,
    subject_user_id  BIGINT UNSIGNED NULL,
    event            VARCHAR(64)     NOT NULL,
    detail           TEXT            NOT NULL,
    ip               VARCHAR(45)     NOT NULL DEFAULT '',
    PRIMARY KEY (id),
    KEY ix_audit_tenant (tenant_id, id),
    KEY ix_audit_event (tenant_id, event, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
