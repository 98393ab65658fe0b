-- 008_tenant_settings.sql -- company settings an admin changes.

-- Which roles may download customer lists (CSV), as role names joined by
-- commas.  Admins always may.
ALTER TABLE tenants ADD COLUMN IF NOT EXISTS export_roles VARCHAR(200)
    NOT NULL DEFAULT 'admin,manager'
    COMMENT 'roles that may export customer lists';
