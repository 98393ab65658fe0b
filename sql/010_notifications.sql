-- 010_notifications.sql -- how people are reached: contact details and
-- preferences, the in-app inbox, the outbox of deliveries to WeCom robots,
-- webhooks and e-mail, and the record of alerts already acted on.

-- Contact details (optional; validated by identity/user_input.c) and the
-- notification kinds a user turned off per channel ("task:wecom,alert:email").
-- team_robot_url: a manager points a WeCom group robot at the team's group.
ALTER TABLE users
    ADD COLUMN IF NOT EXISTS email VARCHAR(254) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS mobile VARCHAR(20) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS wecom_id VARCHAR(64) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS notify_off VARCHAR(300) NOT NULL DEFAULT ''
        COMMENT 'kind:channel pairs turned off, comma separated',
    ADD COLUMN IF NOT EXISTS team_robot_url VARCHAR(500) NOT NULL DEFAULT ''
        COMMENT 'a manager: the WeCom robot of the team group';

-- Company channels: the WeCom robot of the company group, the webhook
-- every notification is posted to (signed with webhook_secret, sealed with
-- the server's secret_key), and SMTP for e-mail (password sealed).
ALTER TABLE tenants
    ADD COLUMN IF NOT EXISTS wecom_robot_url VARCHAR(500) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS webhook_url VARCHAR(500) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS webhook_secret VARCHAR(256) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS smtp_url VARCHAR(300) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS smtp_user VARCHAR(200) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS smtp_password VARCHAR(256) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS smtp_from VARCHAR(254) NOT NULL DEFAULT '';

-- One message for one person; the inbox.  Written in the transaction of
-- the change that caused it; dedup_key makes a job's notification once.
CREATE TABLE IF NOT EXISTS notifications (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_id    BIGINT UNSIGNED NOT NULL,
    user_id      BIGINT UNSIGNED NOT NULL COMMENT 'the recipient',
    kind         VARCHAR(16)     NOT NULL COMMENT 'task, alert, reminder, system',
    title        VARCHAR(200)    NOT NULL,
    body         TEXT            NOT NULL,
    object_kind  VARCHAR(16)     NULL,
    object_id    BIGINT UNSIGNED NULL,
    read_at      DATETIME(3)     NULL,
    dedup_key    VARCHAR(190)    NULL,
    created_at   DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uk_notifications_dedup (tenant_id, dedup_key),
    KEY ix_notifications_inbox (tenant_id, user_id, read_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The outbox: one row per message to send on one channel.  dedup_key
-- ("n:<notification>:<channel>", or an alert's key) makes it once; the
-- scheduler claims due rows (SKIP LOCKED, lease) and records each attempt.
CREATE TABLE IF NOT EXISTS deliveries (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_id       BIGINT UNSIGNED NOT NULL,
    notification_id BIGINT UNSIGNED NULL,
    channel         ENUM('wecom','webhook','email') NOT NULL,
    target          VARCHAR(500)    NOT NULL COMMENT 'URL or e-mail address',
    body            MEDIUMTEXT      NOT NULL COMMENT 'what is sent',
    dedup_key       VARCHAR(190)    NOT NULL,
    status          ENUM('pending','sent','failed') NOT NULL DEFAULT 'pending',
    attempts        INT UNSIGNED    NOT NULL DEFAULT 0,
    next_at         DATETIME(3)     NOT NULL,
    lease_until     DATETIME(3)     NULL,
    lease_owner     VARCHAR(100)    NULL,
    last_error      VARCHAR(500)    NOT NULL DEFAULT '',
    last_status     INT             NULL COMMENT 'HTTP status of the last try',
    sent_at         DATETIME(3)     NULL,
    created_at      DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uk_deliveries_dedup (tenant_id, dedup_key),
    KEY ix_deliveries_due (status, next_at),
    KEY ix_deliveries_tenant (tenant_id, status, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Append-only: every attempt with its result.
CREATE TABLE IF NOT EXISTS delivery_attempts (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_id    BIGINT UNSIGNED NOT NULL,
    delivery_id  BIGINT UNSIGNED NOT NULL,
    at           DATETIME(3)     NOT NULL,
    ok           TINYINT(1)      NOT NULL,
    http_status  INT             NULL,
    error        VARCHAR(500)    NOT NULL DEFAULT '',
    ms           INT UNSIGNED    NOT NULL DEFAULT 0,
    PRIMARY KEY (id),
    KEY ix_delivery_attempts (tenant_id, delivery_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Alerts acted on: one action per alert key and period.  An alert that
-- stays true keeps its row (active); when it clears the row goes inactive
-- and a return acts once more.
CREATE TABLE IF NOT EXISTS alert_states (
    tenant_id    BIGINT UNSIGNED NOT NULL,
    alert_key    VARCHAR(190)    NOT NULL,
    active       TINYINT(1)      NOT NULL DEFAULT 1,
    period       VARCHAR(32)     NOT NULL DEFAULT ''
                 COMMENT 'the period the last action was for',
    acted_at     DATETIME(3)     NOT NULL,
    cleared_at   DATETIME(3)     NULL,
    actions      INT UNSIGNED    NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, alert_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Which published rule version's reminders (schedules.lua) the jobs table
-- holds for the company; the scheduler brings it up to date when the
-- published version changes.
ALTER TABLE tenants ADD COLUMN IF NOT EXISTS schedules_version
    BIGINT UNSIGNED NOT NULL DEFAULT 0
    COMMENT 'rule_versions.id whose schedules are scheduled';
