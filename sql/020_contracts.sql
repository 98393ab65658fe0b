-- 020_contracts.sql -- contracts from a clause library, payments and the
-- credit they show, and shipments with their logistics form countdown
-- (issue 15, items 3-5).
--
-- Clauses and templates are versioned: a new version is a new row, never
-- an edit, so a contract names exactly the clause versions it used.

-- A clause of the library: text with {variable} placeholders
-- (payment_term_days, prepay_pct, delivery_days, warranty_months,
-- penalty_pct, amount, customer, ...).
CREATE TABLE IF NOT EXISTS clauses (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant_id   BIGINT UNSIGNED NOT NULL,
    clause_key  VARCHAR(64)     NOT NULL,
    version     INT UNSIGNED    NOT NULL,
    title       VARCHAR(200)    NOT NULL,
    body        TEXT            NOT NULL,
    created_by  BIGINT UNSIGNED NOT NULL,
    created_at  DATETIME(3)     NOT NULL,
    UNIQUE KEY ux_clauses (tenant_id, clause_key, version),
    CONSTRAINT fk_clauses_tenant FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A contract template: clauses in order, each pinned to a version, and
-- the options a rep may choose for each variable (JSON).
CREATE TABLE IF NOT EXISTS contract_templates (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant_id    BIGINT UNSIGNED NOT NULL,
    template_key VARCHAR(64)     NOT NULL,
    version      INT UNSIGNED    NOT NULL,
    name         VARCHAR(200)    NOT NULL,
    clauses      TEXT            NOT NULL
                 COMMENT 'JSON [{"key":..., "version":n}, ...]',
    options      TEXT            NOT NULL
                 COMMENT 'JSON {"payment_term_days":[30,60,90], ...}',
    active       TINYINT(1)      NOT NULL DEFAULT 1,
    created_by   BIGINT UNSIGNED NOT NULL,
    created_at   DATETIME(3)     NOT NULL,
    UNIQUE KEY ux_contract_templates (tenant_id, template_key, version),
    CONSTRAINT fk_contract_templates_tenant FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A contract of a customer, built from a template version with chosen
-- terms.  status: draft -> (awaiting approval ->) approved -> signed, or
-- cancelled; approval: what the rules' on_contract decided for the terms
-- (none, or the kind, e.g. prepay) and finance's answer.
CREATE TABLE IF NOT EXISTS contracts (
    id                BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant_id         BIGINT UNSIGNED NOT NULL,
    customer_id       BIGINT UNSIGNED NOT NULL,
    template_id       BIGINT UNSIGNED NOT NULL,
    status            ENUM('draft', 'signed', 'cancelled') NOT NULL
                      DEFAULT 'draft',
    amount            DECIMAL(14, 2)  NOT NULL,
    payment_term_days INT UNSIGNED    NOT NULL DEFAULT 0,
    prepay_pct        DECIMAL(5, 2)   NOT NULL DEFAULT 0,
    delivery_days     INT UNSIGNED    NOT NULL DEFAULT 0,
    warranty_months   INT UNSIGNED    NOT NULL DEFAULT 0,
    penalty_pct       DECIMAL(5, 2)   NOT NULL DEFAULT 0,
    body              MEDIUMTEXT      NOT NULL COMMENT 'the resolved text',
    clause_versions   TEXT            NOT NULL
                      COMMENT 'JSON [{"key","version","id"}] used',
    decision          TEXT            NOT NULL
                      COMMENT 'JSON: on_contract''s answer and the facts',
    approval          ENUM('none', 'required', 'approved', 'rejected')
                      NOT NULL DEFAULT 'none',
    approval_note     VARCHAR(1000)   NOT NULL DEFAULT '',
    approval_task_id  BIGINT UNSIGNED NULL,
    approved_by       BIGINT UNSIGNED NULL,
    approved_at       DATETIME(3)     NULL,
    created_by        BIGINT UNSIGNED NOT NULL,
    created_at        DATETIME(3)     NOT NULL,
    signed_by         BIGINT UNSIGNED NULL,
    signed_at         DATETIME(3)     NULL,
    version           INT UNSIGNED    NOT NULL DEFAULT 1,
    KEY ix_contracts_customer (tenant_id, customer_id),
    CONSTRAINT fk_contracts_customer FOREIGN KEY (customer_id)
        REFERENCES customers (id) ON DELETE CASCADE,
    CONSTRAINT fk_contracts_template FOREIGN KEY (template_id)
        REFERENCES contract_templates (id),
    CONSTRAINT fk_contracts_tenant FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Payments of a customer: an invoice, when it was due, when (if) it was
-- paid.  Late: paid after its due date, or unpaid past it.
CREATE TABLE IF NOT EXISTS payments (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant_id   BIGINT UNSIGNED NOT NULL,
    customer_id BIGINT UNSIGNED NOT NULL,
    invoice_no  VARCHAR(64)     NOT NULL,
    amount      DECIMAL(14, 2)  NOT NULL,
    due_on      DATE            NOT NULL,
    paid_on     DATE            NULL,
    note        VARCHAR(500)    NOT NULL DEFAULT '',
    created_by  BIGINT UNSIGNED NOT NULL,
    created_at  DATETIME(3)     NOT NULL,
    UNIQUE KEY ux_payments_invoice (tenant_id, invoice_no),
    KEY ix_payments_customer (tenant_id, customer_id, due_on),
    CONSTRAINT fk_payments_customer FOREIGN KEY (customer_id)
        REFERENCES customers (id) ON DELETE CASCADE,
    CONSTRAINT fk_payments_tenant FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Shipments of a signed contract.  Each needs its logistics entrustment
-- form (物流委托单) at least contract_rules.ship_doc_hours before its
-- planned time; past that without the form its outbound is frozen: no
-- path releases it until the form is there.  frozen_at records when the
-- freeze was first seen (audited once), released_at the release.
CREATE TABLE IF NOT EXISTS shipments (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant_id    BIGINT UNSIGNED NOT NULL,
    contract_id  BIGINT UNSIGNED NOT NULL,
    customer_id  BIGINT UNSIGNED NOT NULL,
    planned_at   DATETIME(3)     NOT NULL COMMENT 'UTC',
    goods        VARCHAR(200)    NOT NULL,
    quantity     INT UNSIGNED    NOT NULL,
    form_file_id BIGINT UNSIGNED NULL,
    form_at      DATETIME(3)     NULL,
    status       ENUM('planned', 'released', 'cancelled') NOT NULL
                 DEFAULT 'planned',
    frozen_at    DATETIME(3)     NULL,
    released_by  BIGINT UNSIGNED NULL,
    released_at  DATETIME(3)     NULL,
    created_by   BIGINT UNSIGNED NOT NULL,
    created_at   DATETIME(3)     NOT NULL,
    KEY ix_shipments_contract (tenant_id, contract_id),
    KEY ix_shipments_due (tenant_id, status, planned_at),
    CONSTRAINT fk_shipments_contract FOREIGN KEY (contract_id)
        REFERENCES contracts (id) ON DELETE CASCADE,
    CONSTRAINT fk_shipments_tenant FOREIGN KEY (tenant_id)
        REFERENCES tenants (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
