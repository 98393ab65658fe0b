-- 014_device_time.sql -- a visit recorded on a phone without network
-- arrives later: its check-in carries the phone's clock (bounded by the
-- server's: not ahead, at most 72 hours behind).  The visit is placed at
-- that time (its day, the photos' EXIF check) and the server's own time
-- of arrival stays in created_at; the manager sees both.

ALTER TABLE activities
    ADD COLUMN IF NOT EXISTS device_at DATETIME(3) NULL
        COMMENT 'the phone''s clock for a check-in recorded offline (UTC)';
