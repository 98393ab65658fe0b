-- 001_core.sql -- tenants and users: the ground every other table stands on.
--
-- Conventions for every migration:
--  * InnoDB, utf8mb4 (utf8mb4_unicode_ci), times in UTC as DATETIME(3);
--  * every business table has tenant_id first in its primary key or in a
--    leading index, and every query binds tenant_id from the session;
--  * statements are re-runnable (IF NOT EXISTS) because MariaDB commits DDL
--    implicitly and a half-applied file must be safe to apply again.

CREATE TABLE IF NOT EXISTS tenants (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    slug        VARCHAR(64)  NOT NULL,
    name        VARCHAR(200) NOT NULL,
    time_zone   VARCHAR(64)  NOT NULL DEFAULT 'Asia/Shanghai',
    locale      VARCHAR(16)  NOT NULL DEFAULT 'zh-CN',
    created_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uk_tenants_slug (slug)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS users (
    id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_id      BIGINT UNSIGNED NOT NULL,
    login          VARCHAR(64)  NOT NULL,
    display_name   VARCHAR(200) NOT NULL,
    role           ENUM('admin','manager','rep','legal','finance',
                        'supervisor','store_manager','marketing') NOT NULL,
    manager_id     BIGINT UNSIGNED NULL,
    region         VARCHAR(100) NOT NULL DEFAULT '',
    locale         VARCHAR(16)  NULL,
    active         TINYINT(1)   NOT NULL DEFAULT 1,
    password_hash  VARCHAR(255) NOT NULL,
    created_at     DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at     DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                   ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uk_users_login (tenant_id, login),
    KEY ix_users_manager (tenant_id, manager_id),
    CONSTRAINT fk_users_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
