-- ddlgate-ignore drop-column: rolling back a column this same release added; no code reads it yet
ALTER TABLE users DROP COLUMN display_name;
