-- 011_activities.sql -- one record for everything a rep does with a
-- customer: visits, calls, meetings, messages, demos, trainings.
--
-- An activity is the one source of "an action happened": the customer's
-- last_activity_at, its timeline, the decision chain's "last met" and
-- consensus, and the metrics read it.  A visit is an activity of kind
-- 'visit' with a check-in (position, distance to the customer, what the
-- rules say about it) and required photos.

CREATE TABLE IF NOT EXISTS activities (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_id       BIGINT UNSIGNED NOT NULL,
    customer_id     BIGINT UNSIGNED NOT NULL,
    rep_id          BIGINT UNSIGNED NOT NULL COMMENT 'who did it',
    kind            VARCHAR(16)     NOT NULL
                    COMMENT 'visit, call, meeting, message, demo, training',
    client_id       VARCHAR(64)     CHARACTER SET ascii NULL
                    COMMENT 'the id a phone gave it offline: one per tenant',
    status          ENUM('open','done') NOT NULL DEFAULT 'done'
                    COMMENT 'a visit is open between check-in and completion',
    at              DATETIME(3)     NOT NULL COMMENT 'when it happened (UTC)',
    content         TEXT            NOT NULL,
    need            VARCHAR(1000)   NOT NULL DEFAULT '',
    competitor      VARCHAR(1000)   NOT NULL DEFAULT '',
    next_step       VARCHAR(1000)   NOT NULL DEFAULT '',
    next_date       DATE            NULL,
    effective       TINYINT(1)      NOT NULL DEFAULT 0,
    missing         VARCHAR(500)    NOT NULL DEFAULT ''
                    COMMENT 'what it lacked to count, keys comma separated',
    reason          VARCHAR(500)    NOT NULL DEFAULT '',
    rule_version    INT UNSIGNED    NULL COMMENT 'the rules that classified it',
    visit_type      VARCHAR(32)     NULL,
    checkin_at      DATETIME(3)     NULL,
    checkin_lat     DECIMAL(9,6)    NULL,
    checkin_lng     DECIMAL(9,6)    NULL,
    checkin_accuracy INT UNSIGNED   NULL COMMENT 'metres, as the browser said',
    distance_m      INT UNSIGNED    NULL COMMENT 'to the customer location',
    location_flag   VARCHAR(16)     NOT NULL DEFAULT ''
                    COMMENT 'ok, far, first (took the customer location), none',
    checkout_at     DATETIME(3)     NULL,
    reviewed_by     BIGINT UNSIGNED NULL,
    reviewed_at     DATETIME(3)     NULL,
    review_note     VARCHAR(1000)   NOT NULL DEFAULT '',
    created_at      DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uk_activities_client (tenant_id, client_id),
    KEY ix_activities_customer (tenant_id, customer_id, at),
    KEY ix_activities_rep (tenant_id, rep_id, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Who was met, and what was agreed with each.
CREATE TABLE IF NOT EXISTS activity_contacts (
    tenant_id    BIGINT UNSIGNED NOT NULL,
    activity_id  BIGINT UNSIGNED NOT NULL,
    contact_id   BIGINT UNSIGNED NOT NULL,
    consensus    VARCHAR(500)    NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, activity_id, contact_id),
    KEY ix_activity_contacts_contact (tenant_id, contact_id, activity_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The photos of a visit, with what the server could check about them.
CREATE TABLE IF NOT EXISTS activity_photos (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_id    BIGINT UNSIGNED NOT NULL,
    activity_id  BIGINT UNSIGNED NOT NULL,
    photo_key    VARCHAR(32)     NOT NULL COMMENT 'storefront, shelf ...',
    file_id      BIGINT UNSIGNED NOT NULL,
    sha256       CHAR(64)        CHARACTER SET ascii NOT NULL,
    uploaded_at  DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    exif_at      DATETIME        NULL COMMENT 'capture time the file claims',
    exif_lat     DECIMAL(9,6)    NULL,
    exif_lng     DECIMAL(9,6)    NULL,
    flags        VARCHAR(200)    NOT NULL DEFAULT ''
                 COMMENT 'exif_missing, time_far, place_far, reused',
    PRIMARY KEY (id),
    KEY ix_activity_photos (tenant_id, activity_id),
    KEY ix_activity_photos_sha (tenant_id, sha256)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A customer's place: from its address or the first check-in there.
ALTER TABLE customers
    ADD COLUMN IF NOT EXISTS lat DECIMAL(9,6) NULL,
    ADD COLUMN IF NOT EXISTS lng DECIMAL(9,6) NULL,
    ADD COLUMN IF NOT EXISTS location_source VARCHAR(16) NOT NULL DEFAULT ''
        COMMENT 'first_checkin, or set by hand';

-- Meetings recorded on contacts become activities (once: the client id
-- says which contact event each came from).
INSERT IGNORE INTO activities (tenant_id, customer_id, rep_id, kind,
                               client_id, status, at, content, created_at)
SELECT e.tenant_id, e.customer_id, COALESCE(e.created_by, c.owner_id),
       'meeting', CONCAT('contact-event-', e.id), 'done',
       TIMESTAMP(e.happened_on, '04:00:00'), e.text, e.created_at
FROM contact_events e JOIN customers c ON c.id = e.customer_id
WHERE e.kind = 'met';
INSERT IGNORE INTO activity_contacts (tenant_id, activity_id, contact_id,
                                      consensus)
SELECT e.tenant_id, a.id, e.contact_id, e.consensus
FROM contact_events e JOIN activities a ON a.tenant_id = e.tenant_id AND
     a.client_id = CONCAT('contact-event-', e.id)
WHERE e.kind = 'met';
DELETE FROM contact_events WHERE kind = 'met';
