PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE schema_migrations (
	version INTEGER NOT NULL,
	name VARCHAR(200) NOT NULL,
	applied_at VARCHAR(32) NOT NULL,
	PRIMARY KEY (version)
);
INSERT INTO schema_migrations VALUES(1,'ticket state, effects, cursors, leases, kv','2026-12-07T21:42:58.572000+00:00');
CREATE TABLE ticket_state (
	policy VARCHAR(200) NOT NULL,
	issue VARCHAR(200) NOT NULL,
	data TEXT NOT NULL,
	updated_at VARCHAR(32) NOT NULL,
	PRIMARY KEY (policy, issue)
);
INSERT INTO ticket_state VALUES('incident','INC-1','{"severity":"SEV-1"}','2026-03-02T09:00:00.000000+00:00');
CREATE TABLE effects (
	"key" VARCHAR(500) NOT NULL,
	policy VARCHAR(200) NOT NULL,
	rule VARCHAR(200) NOT NULL,
	issue VARCHAR(200) NOT NULL,
	kind VARCHAR(100) NOT NULL,
	status VARCHAR(20) NOT NULL,
	attempts INTEGER NOT NULL,
	last_error TEXT,
	external_ref TEXT,
	claimed_by VARCHAR(200),
	claimed_until VARCHAR(32),
	created_at VARCHAR(32) NOT NULL,
	updated_at VARCHAR(32) NOT NULL,
	PRIMARY KEY ("key")
);
INSERT INTO effects VALUES('incident:ack-nudge:INC-1:1','incident','ack-nudge','INC-1','slack.message','done',0,NULL,'{"channel":"C1","ts":"1772443800.000100"}','replica-a',NULL,'2026-03-02T09:00:00.000000+00:00','2026-03-02T09:00:02.000000+00:00');
INSERT INTO effects VALUES('incident:page-create:INC-1:1','incident','page-create','INC-1','confluence.page','pending',0,NULL,NULL,'replica-a','2026-03-02T09:05:00.000000+00:00','2026-03-02T09:00:00.000000+00:00','2026-03-02T09:00:00.000000+00:00');
CREATE TABLE cursors (
	name VARCHAR(200) NOT NULL,
	value TEXT NOT NULL,
	updated_at VARCHAR(32) NOT NULL,
	PRIMARY KEY (name)
);
INSERT INTO cursors VALUES('incident','2026-03-02T08:59:00+00:00','2026-03-02T09:00:00.000000+00:00');
CREATE TABLE leases (
	name VARCHAR(200) NOT NULL,
	owner VARCHAR(200) NOT NULL,
	expires_at VARCHAR(32) NOT NULL,
	PRIMARY KEY (name)
);
INSERT INTO leases VALUES('cycle','replica-a','2026-03-02T09:01:00.000000+00:00');
CREATE TABLE kv (
	namespace VARCHAR(200) NOT NULL,
	"key" VARCHAR(500) NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (namespace, "key")
);
INSERT INTO kv VALUES('facts','answer','42');
CREATE INDEX ix_effects_issue ON effects (issue);
CREATE INDEX ix_effects_status ON effects (status);
COMMIT;
