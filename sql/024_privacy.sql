-- 024_privacy.sql -- requests to erase a whole company (data protection).
--
-- An admin asks; a second, different admin of the same company confirms
-- within 24 hours; then every row of the company in every table with a
-- tenant_id column is deleted.  This table has no tenant_id column on
-- purpose: its rows are the record of the erasure that survives it, and
-- name only the company's id and code and the two admins (ids and
-- logins), nothing else of the company.
CREATE TABLE IF NOT EXISTS tenant_erasures (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_ref      BIGINT UNSIGNED NOT NULL COMMENT 'tenants.id, kept after the erasure',
    slug            VARCHAR(64)     NOT NULL,
    requested_by    BIGINT UNSIGNED NOT NULL,
    requested_login VARCHAR(64)     NOT NULL,
    requested_at    DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    confirmed_by    BIGINT UNSIGNED NULL,
    confirmed_login VARCHAR(64)     NULL,
    done_at         DATETIME(3)     NULL,
    status          ENUM('pending','done','cancelled') NOT NULL DEFAULT 'pending',
    PRIMARY KEY (id),
    KEY ix_tenant_erasures_tenant (tenant_ref, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The history tables refuse updates and deletes; a data-protection
-- erasure is the one exception, and says so by setting @proofline_erase
-- = 1 on its connection for the length of the erasure (sales/privacy*.c):
-- a contact's erasure clears the free text of its events, a company's
-- erasure deletes all its rows.  Nothing else sets it.
DROP TRIGGER IF EXISTS tr_stage_events_no_update;
CREATE TRIGGER tr_stage_events_no_update
    BEFORE UPDATE ON stage_events FOR EACH ROW
BEGIN
    IF @proofline_erase IS NULL THEN
        SIGNAL SQLSTATE '45000'
            SET MESSAGE_TEXT = 'stage history is append-only';
    END IF;
END;

DROP TRIGGER IF EXISTS tr_stage_events_no_delete;
CREATE TRIGGER tr_stage_events_no_delete
    BEFORE DELETE ON stage_events FOR EACH ROW
BEGIN
    IF @proofline_erase IS NULL THEN
        SIGNAL SQLSTATE '45000'
            SET MESSAGE_TEXT = 'stage history is append-only';
    END IF;
END;

DROP TRIGGER IF EXISTS tr_contact_events_no_update;
CREATE TRIGGER tr_contact_events_no_update
    BEFORE UPDATE ON contact_events FOR EACH ROW
BEGIN
    IF @proofline_erase IS NULL THEN
        SIGNAL SQLSTATE '45000'
            SET MESSAGE_TEXT = 'contact history is append-only';
    END IF;
END;

DROP TRIGGER IF EXISTS tr_contact_events_no_delete;
CREATE TRIGGER tr_contact_events_no_delete
    BEFORE DELETE ON contact_events FOR EACH ROW
BEGIN
    IF @proofline_erase IS NULL THEN
        SIGNAL SQLSTATE '45000'
            SET MESSAGE_TEXT = 'contact history is append-only';
    END IF;
END;

DROP TRIGGER IF EXISTS tr_evidence_locked_update;
CREATE TRIGGER tr_evidence_locked_update
    BEFORE UPDATE ON evidence FOR EACH ROW
BEGIN
    IF @proofline_erase IS NULL AND OLD.used_in IS NOT NULL AND (
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

DROP TRIGGER IF EXISTS tr_evidence_locked_delete;
CREATE TRIGGER tr_evidence_locked_delete
    BEFORE DELETE ON evidence FOR EACH ROW
BEGIN
    IF @proofline_erase IS NULL AND OLD.used_in IS NOT NULL THEN
        SIGNAL SQLSTATE '45000'
            SET MESSAGE_TEXT = 'evidence used for a stage change is locked';
    END IF;
END;
