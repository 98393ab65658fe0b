-- 004_customers.sql -- customers, their decision chains, evidence, stored
-- files, the stage history and CSV imports.
--
-- Stage history and evidence used for an advance are append-only, and the
-- database enforces it with triggers: the application cannot change them
-- by mistake, and neither can anyone with the application's credentials.

CREATE TABLE IF NOT EXISTS customers (
    id                BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_id         BIGINT UNSIGNED NOT NULL,
    name              VARCHAR(200)    NOT NULL,
    name_key          VARCHAR(200)    NOT NULL
                      COMMENT 'name folded for duplicate checks (customer.c)',
    kind              VARCHAR(32)     NOT NULL,
    owner_id          BIGINT UNSIGNED NOT NULL,
    stage             VARCHAR(64)     NOT NULL,
    stage_since       DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    lost_reason       VARCHAR(64)     NULL,
    city              VARCHAR(100)    NOT NULL DEFAULT '',
    address           VARCHAR(300)    NOT NULL DEFAULT '',
    phone             VARCHAR(50)     NOT NULL DEFAULT '',
    amount            DECIMAL(14,2)   NULL COMMENT 'expected deal amount, yuan',
    note              TEXT            NOT NULL,
    contacts_text     VARCHAR(2000)   NOT NULL DEFAULT ''
                      COMMENT 'contact names and phones, for text search',
    last_activity_at  DATETIME(3)     NULL,
    version           INT UNSIGNED    NOT NULL DEFAULT 1
                      COMMENT 'optimistic concurrency: bumped by every write',
    created_by        BIGINT UNSIGNED NULL,
    updated_by        BIGINT UNSIGNED NULL,
    created_at        DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at        DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    KEY ix_customers_owner (tenant_id, owner_id, stage),
    KEY ix_customers_stage (tenant_id, stage, stage_since),
    KEY ix_customers_updated (tenant_id, updated_at),
    KEY ix_customers_activity (tenant_id, last_activity_at),
    KEY ix_customers_name (tenant_id, name_key(40))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The decision chain: contacts by their role in the decision.
CREATE TABLE IF NOT EXISTS contacts (
    id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_id      BIGINT UNSIGNED NOT NULL,
    customer_id    BIGINT UNSIGNED NOT NULL,
    name           VARCHAR(100)    NOT NULL,
    title          VARCHAR(100)    NOT NULL DEFAULT '',
    department     VARCHAR(100)    NOT NULL DEFAULT '',
    role           VARCHAR(32)     NOT NULL
                   COMMENT 'budget, acceptance, influencer, user, other',
    channel        VARCHAR(32)     NOT NULL DEFAULT ''
                   COMMENT 'wechat_voice, wechat_text, email, phone, face',
    focus          VARCHAR(500)    NOT NULL DEFAULT '',
    phone          VARCHAR(50)     NOT NULL DEFAULT '',
    email          VARCHAR(200)    NOT NULL DEFAULT '',
    birthday       DATE            NULL,
    last_met_on    DATE            NULL,
    consensus      VARCHAR(500)    NOT NULL DEFAULT ''
                   COMMENT 'the latest consensus point agreed with them',
    consensus_on   DATE            NULL,
    active         TINYINT(1)      NOT NULL DEFAULT 1,
    version        INT UNSIGNED    NOT NULL DEFAULT 1,
    created_at     DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at     DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    KEY ix_contacts_customer (tenant_id, customer_id, active)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Dated events with a contact: a meeting (with an optional consensus
-- point) or anything worth remembering.  Append-only.
CREATE TABLE IF NOT EXISTS contact_events (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_id    BIGINT UNSIGNED NOT NULL,
    customer_id  BIGINT UNSIGNED NOT NULL,
    contact_id   BIGINT UNSIGNED NOT NULL,
    kind         ENUM('met','event') NOT NULL,
    happened_on  DATE            NOT NULL,
    text         VARCHAR(1000)   NOT NULL DEFAULT '',
    consensus    VARCHAR(500)    NOT NULL DEFAULT '',
    created_by   BIGINT UNSIGNED NULL,
    created_at   DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    KEY ix_contact_events_contact (tenant_id, contact_id, happened_on),
    KEY ix_contact_events_customer (tenant_id, customer_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Uploaded files.  The bytes live once per content hash under files_dir
-- (outside the web root); nginx serves them through X-Accel-Redirect after
-- the application's access check.
CREATE TABLE IF NOT EXISTS files (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_id    BIGINT UNSIGNED NOT NULL,
    sha256       CHAR(64) CHARACTER SET ascii NOT NULL,
    size         BIGINT UNSIGNED NOT NULL,
    mime         VARCHAR(100) CHARACTER SET ascii NOT NULL
                 COMMENT 'sniffed from the content, not taken from the client',
    name         VARCHAR(255)    NOT NULL DEFAULT '',
    customer_id  BIGINT UNSIGNED NULL COMMENT 'the customer it belongs to',
    created_by   BIGINT UNSIGNED NULL,
    created_at   DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    KEY ix_files_customer (tenant_id, customer_id),
    KEY ix_files_sha (sha256)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Evidence supplied for a customer: a photo or document (file_id), a form
-- (data, JSON), or a logged call (data).  used_in is the stage change it
-- satisfied; from then on it can be neither changed nor deleted.
CREATE TABLE IF NOT EXISTS evidence (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_id    BIGINT UNSIGNED NOT NULL,
    customer_id  BIGINT UNSIGNED NOT NULL,
    ev_key       VARCHAR(64)     NOT NULL,
    kind         VARCHAR(16) CHARACTER SET ascii NOT NULL,
    file_id      BIGINT UNSIGNED NULL,
    data         TEXT            NULL,
    note         VARCHAR(1000)   NOT NULL DEFAULT '',
    created_by   BIGINT UNSIGNED NULL,
    created_at   DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    used_in      BIGINT UNSIGNED NULL COMMENT 'stage_events.id',
    removed_at   DATETIME(3)     NULL,
    removed_by   BIGINT UNSIGNED NULL,
    PRIMARY KEY (id),
    KEY ix_evidence_customer (tenant_id, customer_id, ev_key),
    CONSTRAINT ck_evidence_data CHECK (data IS NULL OR JSON_VALID(data))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every stage change: who, when, from where, the evidence that satisfied
-- the gate and the rule version that decided.  Append-only.
CREATE TABLE IF NOT EXISTS stage_events (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_id     BIGINT UNSIGNED NOT NULL,
    customer_id   BIGINT UNSIGNED NOT NULL,
    from_stage    VARCHAR(64)     NULL,
    to_stage      VARCHAR(64)     NOT NULL,
    by_user       BIGINT UNSIGNED NULL,
    at            DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    code          VARCHAR(32) CHARACTER SET ascii NOT NULL
                  COMMENT 'the gate''s code: ok, back, lost, created',
    evidence_ids  VARCHAR(2000) CHARACTER SET ascii NOT NULL DEFAULT '[]',
    rule_version  INT UNSIGNED    NOT NULL DEFAULT 0,
    lost_reason   VARCHAR(64)     NULL,
    note          VARCHAR(500)    NOT NULL DEFAULT '',
    via           VARCHAR(16) CHARACTER SET ascii NOT NULL DEFAULT 'page'
                  COMMENT 'page, api, board, bulk, import, demo',
    PRIMARY KEY (id),
    KEY ix_stage_events_customer (tenant_id, customer_id, id),
    KEY ix_stage_events_at (tenant_id, at),
    KEY ix_stage_events_to (tenant_id, to_stage, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- CSV imports between upload and commit: the file is kept (files) and
-- parsed again at commit with the confirmed mapping, so nothing is
-- written before the user commits.
CREATE TABLE IF NOT EXISTS imports (
    id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_id      BIGINT UNSIGNED NOT NULL,
    created_by     BIGINT UNSIGNED NOT NULL,
    created_at     DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    file_id        BIGINT UNSIGNED NOT NULL,
    encoding       VARCHAR(16) CHARACTER SET ascii NOT NULL DEFAULT 'auto',
    mapping        TEXT            NOT NULL COMMENT 'JSON: column -> field',
    status         ENUM('preview','committed','discarded') NOT NULL
                   DEFAULT 'preview',
    rows_total     INT UNSIGNED    NOT NULL DEFAULT 0,
    rows_valid     INT UNSIGNED    NOT NULL DEFAULT 0,
    rows_imported  INT UNSIGNED    NOT NULL DEFAULT 0,
    committed_at   DATETIME(3)     NULL,
    PRIMARY KEY (id),
    KEY ix_imports_tenant (tenant_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The database refuses to rewrite history.
CREATE TRIGGER IF NOT EXISTS tr_stage_events_no_update
    BEFORE UPDATE ON stage_events FOR EACH ROW
    SIGNAL SQLSTATE '45000'
        SET MESSAGE_TEXT = 'stage history is append-only';

CREATE TRIGGER IF NOT EXISTS tr_stage_events_no_delete
    BEFORE DELETE ON stage_events FOR EACH ROW
    SIGNAL SQLSTATE '45000'
        SET MESSAGE_TEXT = 'stage history is append-only';

CREATE TRIGGER IF NOT EXISTS tr_contact_events_no_update
    BEFORE UPDATE ON contact_events FOR EACH ROW
    SIGNAL SQLSTATE '45000'
        SET MESSAGE_TEXT = 'contact history is append-only';

CREATE TRIGGER IF NOT EXISTS tr_contact_events_no_delete
    BEFORE DELETE ON contact_events FOR EACH ROW
    SIGNAL SQLSTATE '45000'
        SET MESSAGE_TEXT = 'contact history is append-only';

-- Evidence: only marking it used is allowed once it is used.
CREATE TRIGGER IF NOT EXISTS tr_evidence_locked_update
    BEFORE UPDATE ON evidence FOR EACH ROW
BEGIN
    IF OLD.used_in IS NOT NULL AND (
        NOT (NEW.used_in <=> OLD.used_in)
        OR NOT (NEW.data <=> OLD.data)
        OR NOT (NEW.file_id <=> OLD.file_id)
        OR NEW.ev_key <> OLD.ev_key
        OR NEW.customer_id <> OLD.customer_id
        OR NOT (NEW.removed_at <=> OLD.removed_at)
        OR NEW.note <> OLD.note) THEN
        SIGNAL SQLSTATE '45000'
            SET MESSAGE_TEXT = 'evidence used for a stage change is locked';
    END IF;
END;

CREATE TRIGGER IF NOT EXISTS tr_evidence_locked_delete
    BEFORE DELETE ON evidence FOR EACH ROW
BEGIN
    IF OLD.used_in IS NOT NULL THEN
        SIGNAL SQLSTATE '45000'
            SET MESSAGE_TEXT = 'evidence used for a stage change is locked';
    END IF;
END;
