-- 013_photo_thumbs_audio.sql -- what an uploaded visit photo becomes on
-- arrival, and a visit's audio evidence.
--
-- A photo gets a small JPEG thumbnail (a files row of its own, served
-- after the same access check as the original) and a 64-bit perceptual
-- hash (a difference hash: the same picture re-encoded, resized or
-- re-shot from the screen stays within a few bits).  The hash is split
-- into four 16-bit bands with an index each: two hashes within 3 bits
-- of each other share at least one band exactly, so "is this picture
-- already known" is four index look-ups, not a scan.

ALTER TABLE activity_photos
    ADD COLUMN IF NOT EXISTS thumb_file_id BIGINT UNSIGNED NULL
        COMMENT 'a JPEG of at most 320 px, made on upload',
    ADD COLUMN IF NOT EXISTS width INT UNSIGNED NULL,
    ADD COLUMN IF NOT EXISTS height INT UNSIGNED NULL,
    ADD COLUMN IF NOT EXISTS phash BIGINT NULL
        COMMENT 'difference hash; NULL for images too small or flat to say',
    ADD COLUMN IF NOT EXISTS ph0 SMALLINT UNSIGNED NULL,
    ADD COLUMN IF NOT EXISTS ph1 SMALLINT UNSIGNED NULL,
    ADD COLUMN IF NOT EXISTS ph2 SMALLINT UNSIGNED NULL,
    ADD COLUMN IF NOT EXISTS ph3 SMALLINT UNSIGNED NULL,
    ADD INDEX IF NOT EXISTS ix_activity_photos_ph0 (tenant_id, ph0),
    ADD INDEX IF NOT EXISTS ix_activity_photos_ph1 (tenant_id, ph1),
    ADD INDEX IF NOT EXISTS ix_activity_photos_ph2 (tenant_id, ph2),
    ADD INDEX IF NOT EXISTS ix_activity_photos_ph3 (tenant_id, ph3);

-- Audio evidence (the customer's own words, 客户原话录音): files typed by
-- their content, played back on the visit page.
CREATE TABLE IF NOT EXISTS activity_audio (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_id    BIGINT UNSIGNED NOT NULL,
    activity_id  BIGINT UNSIGNED NOT NULL,
    file_id      BIGINT UNSIGNED NOT NULL,
    uploaded_by  BIGINT UNSIGNED NOT NULL,
    uploaded_at  DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    KEY ix_activity_audio (tenant_id, activity_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The visit page lists the customers nearest to the rep first.
ALTER TABLE customers
    ADD INDEX IF NOT EXISTS ix_customers_place (tenant_id, lat, lng);
