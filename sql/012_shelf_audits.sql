-- 012_shelf_audits.sql -- the company's product list and shelf audits.
--
-- A shelf audit belongs to a visit (and optionally its shelf photo): what
-- the rep saw on the shelf, one line per product and place, facings and
-- price.  Proofline computes share of shelf and the change since the
-- previous audit at the same customer from these lines.  A recogniser
-- reading photos later writes the same lines with another `source`.

CREATE TABLE IF NOT EXISTS products (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_id   BIGINT UNSIGNED NOT NULL,
    sku         VARCHAR(64)     NOT NULL COMMENT 'unique per company',
    name        VARCHAR(200)    NOT NULL,
    brand       VARCHAR(100)    NOT NULL DEFAULT '',
    own         TINYINT(1)      NOT NULL DEFAULT 0
                COMMENT '1: the company''s own, 0: a competitor''s',
    category    VARCHAR(100)    NOT NULL DEFAULT '',
    active      TINYINT(1)      NOT NULL DEFAULT 1,
    recognizer_label VARCHAR(200) NOT NULL DEFAULT ''
                COMMENT 'what a recogniser calls it (empty until one exists)',
    created_at  DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at  DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uk_products_sku (tenant_id, sku),
    KEY ix_products_name (tenant_id, active, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One audit per visit; saving again adds lines.
CREATE TABLE IF NOT EXISTS audits (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_id   BIGINT UNSIGNED NOT NULL,
    activity_id BIGINT UNSIGNED NOT NULL COMMENT 'the visit',
    customer_id BIGINT UNSIGNED NOT NULL,
    rep_id      BIGINT UNSIGNED NOT NULL COMMENT 'who recorded it',
    photo_id    BIGINT UNSIGNED NULL COMMENT 'activity_photos: the shelf',
    at          DATETIME(3)     NOT NULL COMMENT 'first saved (UTC)',
    updated_at  DATETIME(3)     NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_audits_visit (tenant_id, activity_id),
    KEY ix_audits_customer (tenant_id, customer_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS audit_lines (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_id   BIGINT UNSIGNED NOT NULL,
    audit_id    BIGINT UNSIGNED NOT NULL,
    product_id  BIGINT UNSIGNED NOT NULL,
    facings     INT UNSIGNED    NOT NULL,
    position    VARCHAR(16)     NOT NULL
                COMMENT 'eye_level, checkout, end_cap, bottom, corner',
    price_fen   BIGINT          NULL COMMENT 'shelf price in fen (cents)',
    note        VARCHAR(500)    NOT NULL DEFAULT '',
    source      VARCHAR(16)     NOT NULL DEFAULT 'manual'
                COMMENT 'manual; a recogniser later',
    confidence  DECIMAL(4,3)    NULL COMMENT 'a recogniser''s, NULL by hand',
    created_at  DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    KEY ix_audit_lines (tenant_id, audit_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
