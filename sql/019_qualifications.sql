-- 019_qualifications.sql -- customer admission (客户准入): qualification
-- documents, their legal review, and admission cases.
--
-- One document is current per customer and type (a new submission
-- supersedes it and keeps it as history).  legal approves or rejects each
-- with a note.  An admission case opens when a customer's required
-- documents are all submitted (none missing or rejected) and closes when
-- all are approved: its two times give the admission lead time.
CREATE TABLE IF NOT EXISTS qual_docs (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant_id     BIGINT UNSIGNED NOT NULL,
    customer_id   BIGINT UNSIGNED NOT NULL,
    doc_type      VARCHAR(64)     NOT NULL,
    number        VARCHAR(64)     NOT NULL,
    holder        VARCHAR(200)    NOT NULL,
    issued_on     DATE            NULL,
    expires_on    DATE            NULL COMMENT 'NULL: long-term (长期)',
    file_id       BIGINT UNSIGNED NULL COMMENT 'the scan or photo',
    qr_text       VARCHAR(2048)   NULL COMMENT 'what a QR code on it said',
    status        ENUM('pending', 'approved', 'rejected') NOT NULL
                  DEFAULT 'pending',
    review_note   VARCHAR(1000)   NOT NULL DEFAULT '',
    reviewed_by   BIGINT UNSIGNED NULL,
    reviewed_at   DATETIME(3)     NULL,
    verify        ENUM('none', 'waiting', 'ok', 'failed', 'error') NOT NULL
                  DEFAULT 'none' COMMENT 'the rules verifier''s answer',
    verify_note   VARCHAR(500)    NOT NULL DEFAULT '',
    submitted_by  BIGINT UNSIGNED NOT NULL,
    submitted_at  DATETIME(3)     NOT NULL,
    is_current    TINYINT(1)      NOT NULL DEFAULT 1,
    superseded_at DATETIME(3)     NULL,
    KEY ix_qual_docs_customer (tenant_id, customer_id, is_current),
    KEY ix_qual_docs_queue (tenant_id, is_current, status),
    KEY ix_qual_docs_expiry (tenant_id, is_current, expires_on),
    KEY ix_qual_docs_file (tenant_id, file_id),
    CONSTRAINT fk_qual_docs_customer FOREIGN KEY (customer_id)
        REFERENCES customers (id) ON DELETE CASCADE,
    CONSTRAINT fk_qual_docs_tenant FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS qual_cases (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant_id    BIGINT UNSIGNED NOT NULL,
    customer_id  BIGINT UNSIGNED NOT NULL,
    owner_id     BIGINT UNSIGNED NOT NULL COMMENT 'the owner when it opened',
    opened_at    DATETIME(3)     NOT NULL,
    closed_at    DATETIME(3)     NULL COMMENT 'every document approved',
    task_id      BIGINT UNSIGNED NULL COMMENT 'legal''s review card',
    KEY ix_qual_cases_customer (tenant_id, customer_id, closed_at),
    KEY ix_qual_cases_closed (tenant_id, closed_at),
    CONSTRAINT fk_qual_cases_customer FOREIGN KEY (customer_id)
        REFERENCES customers (id) ON DELETE CASCADE,
    CONSTRAINT fk_qual_cases_tenant FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
