BEGIN TRANSACTION;
CREATE TABLE `account` (
          `id` text PRIMARY KEY,
          `email` text NOT NULL,
          `url` text NOT NULL,
          `access_token` text NOT NULL,
          `refresh_token` text NOT NULL,
          `token_expiry` integer,
          `time_created` integer NOT NULL,
          `time_updated` integer NOT NULL
        );
CREATE TABLE `account_state` (
          `id` integer PRIMARY KEY,
          `active_account_id` text,
          `active_org_id` text,
          CONSTRAINT `fk_account_state_active_account_id_account_id_fk` FOREIGN KEY (`active_account_id`) REFERENCES `account`(`id`) ON DELETE SET NULL
        );
CREATE TABLE `control_account` (
          `email` text NOT NULL,
          `url` text NOT NULL,
          `access_token` text NOT NULL,
          `refresh_token` text NOT NULL,
          `token_expiry` integer,
          `active` integer NOT NULL,
          `time_created` integer NOT NULL,
          `time_updated` integer NOT NULL,
          CONSTRAINT `control_account_pk` PRIMARY KEY(`email`, `url`)
        );
CREATE TABLE `credential` (
          `id` text PRIMARY KEY,
          `integration_id` text,
          `label` text NOT NULL,
          `value` text NOT NULL,
          `connector_id` text,
          `method_id` text,
          `active` integer,
          `time_created` integer NOT NULL,
          `time_updated` integer NOT NULL
        );
CREATE TABLE `data_migration` (
          `name` text PRIMARY KEY,
          `time_completed` integer NOT NULL
        );
CREATE TABLE `event` (
          `id` text PRIMARY KEY,
          `aggregate_id` text NOT NULL,
          `seq` integer NOT NULL,
          `type` text NOT NULL,
          `data` text NOT NULL,
          CONSTRAINT `fk_event_aggregate_id_event_sequence_aggregate_id_fk` FOREIGN KEY (`aggregate_id`) REFERENCES `event_sequence`(`aggregate_id`) ON DELETE CASCADE
        );
INSERT INTO "event" VALUES('evt_24b1d87750014s9gtmvVYkYn0K','ses_db4e2788bfferFs0J5MeNOrAjj',0,'session.created.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","info":{"id":"ses_db4e2788bfferFs0J5MeNOrAjj","slug":"proud-circuit","projectID":"global","directory":"/tmp/am-agents/opencode-resume/project","path":"tmp/am-agents/opencode-resume/project","cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}},"title":"New session - 2026-12-06T11:29:16.148Z","version":"1.18.33","time":{"created":1796556556148,"updated":1796556556148},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1d879f001KXfV8GaIxLf017','ses_db4e2788bfferFs0J5MeNOrAjj',1,'session.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","info":{"id":"ses_db4e2788bfferFs0J5MeNOrAjj","slug":"proud-circuit","projectID":"global","directory":"/tmp/am-agents/opencode-resume/project","path":"tmp/am-agents/opencode-resume/project","cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}},"title":"New session - 2026-12-06T11:29:16.148Z","agent":"build","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556556148,"updated":1796556556189},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1d87b7001j8Ll5eObs4Erwz','ses_db4e2788bfferFs0J5MeNOrAjj',2,'message.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","info":{"id":"msg_24b1d879d001gI0zNa2irLZpdV","sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","role":"user","time":{"created":1796556556189},"agent":"build","model":{"providerID":"fake","modelID":"fake-model"}}}');
INSERT INTO "event" VALUES('evt_24b1d87ba0010eUFAtGb6ppqRr','ses_db4e2788bfferFs0J5MeNOrAjj',3,'message.part.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","part":{"id":"prt_24b1d87b5001QPyqVHurrqfe49","sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","messageID":"msg_24b1d879d001gI0zNa2irLZpdV","type":"text","text":"\"Remember that the colour is blue.\""},"time":1796556556218}');
INSERT INTO "event" VALUES('evt_24b1d87be0019N5blLIr0QrLEG','ses_db4e2788bfferFs0J5MeNOrAjj',4,'session.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","info":{"id":"ses_db4e2788bfferFs0J5MeNOrAjj","slug":"proud-circuit","projectID":"global","directory":"/tmp/am-agents/opencode-resume/project","path":"tmp/am-agents/opencode-resume/project","cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}},"title":"New session - 2026-12-06T11:29:16.148Z","agent":"build","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556556148,"updated":1796556556221},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1d89e90016Q15PB83UH11zV','ses_db4e2788bfferFs0J5MeNOrAjj',5,'message.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","info":{"id":"msg_24b1d89e8001agYKQ6hawxD45K","sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","role":"assistant","time":{"created":1796556556776},"parentID":"msg_24b1d879d001gI0zNa2irLZpdV","modelID":"fake-model","providerID":"fake","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-resume/project","root":"/"},"cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}}}}');
INSERT INTO "event" VALUES('evt_24b1d8a34001yJtnb0CeVd2Ew3','ses_db4e2788bfferFs0J5MeNOrAjj',6,'session.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","info":{"id":"ses_db4e2788bfferFs0J5MeNOrAjj","slug":"proud-circuit","projectID":"global","directory":"/tmp/am-agents/opencode-resume/project","path":"tmp/am-agents/opencode-resume/project","cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}},"title":"The colour","agent":"build","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556556148,"updated":1796556556221},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1d8a39001cJklBbb0FIODIy','ses_db4e2788bfferFs0J5MeNOrAjj',7,'session.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","info":{"id":"ses_db4e2788bfferFs0J5MeNOrAjj","slug":"proud-circuit","projectID":"global","directory":"/tmp/am-agents/opencode-resume/project","path":"tmp/am-agents/opencode-resume/project","summary":{"additions":0,"deletions":0,"files":0},"cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}},"title":"The colour","agent":"build","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556556148,"updated":1796556556856},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1d8a3d0017mP1mTKW3p5WEE','ses_db4e2788bfferFs0J5MeNOrAjj',8,'message.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","info":{"id":"msg_24b1d879d001gI0zNa2irLZpdV","sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","role":"user","time":{"created":1796556556189},"summary":{"diffs":[]},"agent":"build","model":{"providerID":"fake","modelID":"fake-model"}}}');
INSERT INTO "event" VALUES('evt_24b1d8af5001H6kHAak5WxaBpd','ses_db4e2788bfferFs0J5MeNOrAjj',9,'message.part.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","part":{"id":"prt_24b1d8af5001HegXgMyxfUmXDm","sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","messageID":"msg_24b1d89e8001agYKQ6hawxD45K","type":"step-start"},"time":1796556557045}');
INSERT INTO "event" VALUES('evt_24b1d8af9001ppzi18kBda19MH','ses_db4e2788bfferFs0J5MeNOrAjj',10,'message.part.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","part":{"id":"prt_24b1d8af9001JQ10wIyGAMHTqD","sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","messageID":"msg_24b1d89e8001agYKQ6hawxD45K","type":"text","text":"","time":{"start":1796556557049}},"time":1796556557049}');
INSERT INTO "event" VALUES('evt_24b1d8aff001f5pau6YaD2HVwv','ses_db4e2788bfferFs0J5MeNOrAjj',11,'message.part.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","part":{"id":"prt_24b1d8af9001JQ10wIyGAMHTqD","sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","messageID":"msg_24b1d89e8001agYKQ6hawxD45K","type":"text","text":"Noted: the colour is blue.","time":{"start":1796556557049,"end":1796556557055}},"time":1796556557055}');
INSERT INTO "event" VALUES('evt_24b1d8b030013olea8XCTI4xq2','ses_db4e2788bfferFs0J5MeNOrAjj',12,'message.part.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","part":{"id":"prt_24b1d8b03001EDs6HzpWp1ipYb","sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","messageID":"msg_24b1d89e8001agYKQ6hawxD45K","type":"step-finish","reason":"stop","cost":0.00432,"tokens":{"total":4108,"input":1100,"output":8,"reasoning":0,"cache":{"read":3000,"write":0}}},"time":1796556557059}');
INSERT INTO "event" VALUES('evt_24b1d8b05001tGyP5E4iw6eV4B','ses_db4e2788bfferFs0J5MeNOrAjj',13,'message.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","info":{"id":"msg_24b1d89e8001agYKQ6hawxD45K","sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","role":"assistant","time":{"created":1796556556776},"parentID":"msg_24b1d879d001gI0zNa2irLZpdV","modelID":"fake-model","providerID":"fake","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-resume/project","root":"/"},"cost":0.00432,"tokens":{"total":4108,"input":1100,"output":8,"reasoning":0,"cache":{"read":3000,"write":0}},"finish":"stop"}}');
INSERT INTO "event" VALUES('evt_24b1d8b090016vId5VAQmau5uF','ses_db4e2788bfferFs0J5MeNOrAjj',14,'message.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","info":{"id":"msg_24b1d89e8001agYKQ6hawxD45K","sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","role":"assistant","time":{"created":1796556556776,"completed":1796556557065},"parentID":"msg_24b1d879d001gI0zNa2irLZpdV","modelID":"fake-model","providerID":"fake","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-resume/project","root":"/"},"cost":0.00432,"tokens":{"total":4108,"input":1100,"output":8,"reasoning":0,"cache":{"read":3000,"write":0}},"finish":"stop"}}');
INSERT INTO "event" VALUES('evt_24b1d8b23001u1nnLuUG2L584O','ses_db4e2788bfferFs0J5MeNOrAjj',15,'session.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","info":{"id":"ses_db4e2788bfferFs0J5MeNOrAjj","slug":"proud-circuit","projectID":"global","directory":"/tmp/am-agents/opencode-resume/project","path":"tmp/am-agents/opencode-resume/project","summary":{"additions":0,"deletions":0,"files":0},"cost":0.00432,"tokens":{"input":1100,"output":8,"reasoning":0,"cache":{"read":3000,"write":0}},"title":"The colour","agent":"build","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556556148,"updated":1796556557090},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1d903d001KcpSOOhVX5tg52','ses_db4e2788bfferFs0J5MeNOrAjj',16,'message.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","info":{"id":"msg_24b1d902b001uqV5uln4T73d2Z","sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","role":"user","time":{"created":1796556558379},"agent":"build","model":{"providerID":"fake","modelID":"fake-model"}}}');
INSERT INTO "event" VALUES('evt_24b1d9043001Yv8j014QUef4oO','ses_db4e2788bfferFs0J5MeNOrAjj',17,'message.part.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","part":{"id":"prt_24b1d903a001sXHOG3VyMmYLkE","sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","messageID":"msg_24b1d902b001uqV5uln4T73d2Z","type":"text","text":"\"Which colour did I say?\""},"time":1796556558403}');
INSERT INTO "event" VALUES('evt_24b1d9048001AaQqruzPnTv02a','ses_db4e2788bfferFs0J5MeNOrAjj',18,'session.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","info":{"id":"ses_db4e2788bfferFs0J5MeNOrAjj","slug":"proud-circuit","projectID":"global","directory":"/tmp/am-agents/opencode-resume/project","path":"tmp/am-agents/opencode-resume/project","summary":{"additions":0,"deletions":0,"files":0},"cost":0.00432,"tokens":{"input":1100,"output":8,"reasoning":0,"cache":{"read":3000,"write":0}},"title":"The colour","agent":"build","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556556148,"updated":1796556558407},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1d92d9001Gj2PA95W6s5vj1','ses_db4e2788bfferFs0J5MeNOrAjj',19,'message.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","info":{"id":"msg_24b1d92d9001R9N4fPNm8EaQou","sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","role":"assistant","time":{"created":1796556559065},"parentID":"msg_24b1d902b001uqV5uln4T73d2Z","modelID":"fake-model","providerID":"fake","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-resume/project","root":"/"},"cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}}}}');
INSERT INTO "event" VALUES('evt_24b1d92f90019dij1u1ToiTpib','ses_db4e2788bfferFs0J5MeNOrAjj',20,'session.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","info":{"id":"ses_db4e2788bfferFs0J5MeNOrAjj","slug":"proud-circuit","projectID":"global","directory":"/tmp/am-agents/opencode-resume/project","path":"tmp/am-agents/opencode-resume/project","summary":{"additions":0,"deletions":0,"files":0},"cost":0.00432,"tokens":{"input":1100,"output":8,"reasoning":0,"cache":{"read":3000,"write":0}},"title":"The colour","agent":"build","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556556148,"updated":1796556559096},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1d9300001WWITv7o4gxiZ56','ses_db4e2788bfferFs0J5MeNOrAjj',21,'message.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","info":{"id":"msg_24b1d902b001uqV5uln4T73d2Z","sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","role":"user","time":{"created":1796556558379},"summary":{"diffs":[]},"agent":"build","model":{"providerID":"fake","modelID":"fake-model"}}}');
INSERT INTO "event" VALUES('evt_24b1d9520001fmVo7o0RS2wvQE','ses_db4e2788bfferFs0J5MeNOrAjj',22,'message.part.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","part":{"id":"prt_24b1d9520001RaU8EfayrxVKLA","sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","messageID":"msg_24b1d92d9001R9N4fPNm8EaQou","type":"step-start"},"time":1796556559648}');
INSERT INTO "event" VALUES('evt_24b1d95240017vXJSAh0Ek6sn2','ses_db4e2788bfferFs0J5MeNOrAjj',23,'message.part.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","part":{"id":"prt_24b1d9524001ve3w7k50YVjSzw","sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","messageID":"msg_24b1d92d9001R9N4fPNm8EaQou","type":"text","text":"","time":{"start":1796556559652}},"time":1796556559652}');
INSERT INTO "event" VALUES('evt_24b1d95290012zO4o1tjaNjpbl','ses_db4e2788bfferFs0J5MeNOrAjj',24,'message.part.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","part":{"id":"prt_24b1d9524001ve3w7k50YVjSzw","sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","messageID":"msg_24b1d92d9001R9N4fPNm8EaQou","type":"text","text":"You said blue.","time":{"start":1796556559652,"end":1796556559657}},"time":1796556559657}');
INSERT INTO "event" VALUES('evt_24b1d952e001ziWuF0xu6DeRGn','ses_db4e2788bfferFs0J5MeNOrAjj',25,'message.part.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","part":{"id":"prt_24b1d952e001wk2fLLrvq9gBSk","sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","messageID":"msg_24b1d92d9001R9N4fPNm8EaQou","type":"step-finish","reason":"stop","cost":0.001425,"tokens":{"total":3695,"input":90,"output":5,"reasoning":0,"cache":{"read":3600,"write":0}}},"time":1796556559662}');
INSERT INTO "event" VALUES('evt_24b1d9530001Sg6MHghjoGZVeL','ses_db4e2788bfferFs0J5MeNOrAjj',26,'message.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","info":{"id":"msg_24b1d92d9001R9N4fPNm8EaQou","sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","role":"assistant","time":{"created":1796556559065},"parentID":"msg_24b1d902b001uqV5uln4T73d2Z","modelID":"fake-model","providerID":"fake","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-resume/project","root":"/"},"cost":0.001425,"tokens":{"total":3695,"input":90,"output":5,"reasoning":0,"cache":{"read":3600,"write":0}},"finish":"stop"}}');
INSERT INTO "event" VALUES('evt_24b1d9534001IMngJBY86sUUPi','ses_db4e2788bfferFs0J5MeNOrAjj',27,'message.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","info":{"id":"msg_24b1d92d9001R9N4fPNm8EaQou","sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","role":"assistant","time":{"created":1796556559065,"completed":1796556559668},"parentID":"msg_24b1d902b001uqV5uln4T73d2Z","modelID":"fake-model","providerID":"fake","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-resume/project","root":"/"},"cost":0.001425,"tokens":{"total":3695,"input":90,"output":5,"reasoning":0,"cache":{"read":3600,"write":0}},"finish":"stop"}}');
INSERT INTO "event" VALUES('evt_24b1d9549001vNtXyEXrWoND0F','ses_db4e2788bfferFs0J5MeNOrAjj',28,'session.updated.1','{"sessionID":"ses_db4e2788bfferFs0J5MeNOrAjj","info":{"id":"ses_db4e2788bfferFs0J5MeNOrAjj","slug":"proud-circuit","projectID":"global","directory":"/tmp/am-agents/opencode-resume/project","path":"tmp/am-agents/opencode-resume/project","summary":{"additions":0,"deletions":0,"files":0},"cost":0.005745,"tokens":{"input":1190,"output":13,"reasoning":0,"cache":{"read":6600,"write":0}},"title":"The colour","agent":"build","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556556148,"updated":1796556559688},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
CREATE TABLE `event_sequence` (
          `aggregate_id` text PRIMARY KEY,
          `seq` integer NOT NULL,
          `owner_id` text
        );
INSERT INTO "event_sequence" VALUES('ses_db4e2788bfferFs0J5MeNOrAjj',28,NULL);
CREATE TABLE `message` (
          `id` text PRIMARY KEY,
          `session_id` text NOT NULL,
          `time_created` integer NOT NULL,
          `time_updated` integer NOT NULL,
          `data` text NOT NULL,
          CONSTRAINT `fk_message_session_id_session_id_fk` FOREIGN KEY (`session_id`) REFERENCES `session`(`id`) ON DELETE CASCADE
        );
INSERT INTO "message" VALUES('msg_24b1d879d001gI0zNa2irLZpdV','ses_db4e2788bfferFs0J5MeNOrAjj',1796556556189,1796556556862,'{"role":"user","time":{"created":1796556556189},"agent":"build","model":{"providerID":"fake","modelID":"fake-model"},"summary":{"diffs":[]}}');
INSERT INTO "message" VALUES('msg_24b1d89e8001agYKQ6hawxD45K','ses_db4e2788bfferFs0J5MeNOrAjj',1796556556776,1796556557066,'{"parentID":"msg_24b1d879d001gI0zNa2irLZpdV","role":"assistant","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-resume/project","root":"/"},"cost":0.00432,"tokens":{"total":4108,"input":1100,"output":8,"reasoning":0,"cache":{"write":0,"read":3000}},"modelID":"fake-model","providerID":"fake","time":{"created":1796556556776,"completed":1796556557065},"finish":"stop"}');
INSERT INTO "message" VALUES('msg_24b1d902b001uqV5uln4T73d2Z','ses_db4e2788bfferFs0J5MeNOrAjj',1796556558379,1796556559105,'{"role":"user","time":{"created":1796556558379},"agent":"build","model":{"providerID":"fake","modelID":"fake-model"},"summary":{"diffs":[]}}');
INSERT INTO "message" VALUES('msg_24b1d92d9001R9N4fPNm8EaQou','ses_db4e2788bfferFs0J5MeNOrAjj',1796556559065,1796556559669,'{"parentID":"msg_24b1d902b001uqV5uln4T73d2Z","role":"assistant","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-resume/project","root":"/"},"cost":0.001425,"tokens":{"total":3695,"input":90,"output":5,"reasoning":0,"cache":{"write":0,"read":3600}},"modelID":"fake-model","providerID":"fake","time":{"created":1796556559065,"completed":1796556559668},"finish":"stop"}');
CREATE TABLE "migration" (id TEXT PRIMARY KEY, time_completed INTEGER NOT NULL);
INSERT INTO "migration" VALUES('20260127222353_familiar_lady_ursula',1796556555205);
INSERT INTO "migration" VALUES('20260211171708_add_project_commands',1796556555205);
INSERT INTO "migration" VALUES('20260213144116_wakeful_the_professor',1796556555206);
INSERT INTO "migration" VALUES('20260225215848_workspace',1796556555206);
INSERT INTO "migration" VALUES('20260227213759_add_session_workspace_id',1796556555206);
INSERT INTO "migration" VALUES('20260228203230_blue_harpoon',1796556555206);
INSERT INTO "migration" VALUES('20260303231226_add_workspace_fields',1796556555207);
INSERT INTO "migration" VALUES('20260309230000_move_org_to_state',1796556555207);
INSERT INTO "migration" VALUES('20260312043431_session_message_cursor',1796556555207);
INSERT INTO "migration" VALUES('20260323234822_events',1796556555207);
INSERT INTO "migration" VALUES('20260410174513_workspace-name',1796556555207);
INSERT INTO "migration" VALUES('20260413175956_chief_energizer',1796556555207);
INSERT INTO "migration" VALUES('20260423070820_add_icon_url_override',1796556555207);
INSERT INTO "migration" VALUES('20260427172553_slow_nightmare',1796556555207);
INSERT INTO "migration" VALUES('20260428004200_add_session_path',1796556555207);
INSERT INTO "migration" VALUES('20260501142318_next_venus',1796556555207);
INSERT INTO "migration" VALUES('20260504145000_add_sync_owner',1796556555207);
INSERT INTO "migration" VALUES('20260507164347_add_workspace_time',1796556555207);
INSERT INTO "migration" VALUES('20260510033149_session_usage',1796556555208);
INSERT INTO "migration" VALUES('20260511000411_data_migration_state',1796556555208);
INSERT INTO "migration" VALUES('20260511173437_session-metadata',1796556555211);
INSERT INTO "migration" VALUES('20260601010001_normalize_storage_paths',1796556555211);
INSERT INTO "migration" VALUES('20260601202201_amazing_prowler',1796556555211);
INSERT INTO "migration" VALUES('20260602002951_lowly_union_jack',1796556555211);
INSERT INTO "migration" VALUES('20260602182828_add_project_directories',1796556555212);
INSERT INTO "migration" VALUES('20260603001617_session_message_projection_indexes',1796556555212);
INSERT INTO "migration" VALUES('20260603040000_session_message_projection_order',1796556555212);
INSERT INTO "migration" VALUES('20260603141458_session_input_inbox',1796556555212);
INSERT INTO "migration" VALUES('20260603160727_jittery_ezekiel_stane',1796556555212);
INSERT INTO "migration" VALUES('20260604172448_event_sourced_session_input',1796556555212);
INSERT INTO "migration" VALUES('20260605003541_add_session_context_snapshot',1796556555212);
INSERT INTO "migration" VALUES('20260605042240_add_context_epoch_agent',1796556555212);
INSERT INTO "migration" VALUES('20260611035744_credential',1796556555212);
INSERT INTO "migration" VALUES('20260611192811_lush_chimera',1796556555212);
INSERT INTO "migration" VALUES('20260612174303_project_dir_strategy',1796556555212);
INSERT INTO "migration" VALUES('20260622142730_simplify_session_context_epoch',1796556555212);
INSERT INTO "migration" VALUES('20260622170816_reset_v2_session_state',1796556555212);
INSERT INTO "migration" VALUES('20260622202450_simplify_session_input',1796556555213);
CREATE TABLE `part` (
          `id` text PRIMARY KEY,
          `message_id` text NOT NULL,
          `session_id` text NOT NULL,
          `time_created` integer NOT NULL,
          `time_updated` integer NOT NULL,
          `data` text NOT NULL,
          CONSTRAINT `fk_part_message_id_message_id_fk` FOREIGN KEY (`message_id`) REFERENCES `message`(`id`) ON DELETE CASCADE
        );
INSERT INTO "part" VALUES('prt_24b1d87b5001QPyqVHurrqfe49','msg_24b1d879d001gI0zNa2irLZpdV','ses_db4e2788bfferFs0J5MeNOrAjj',1796556556218,1796556556219,'{"type":"text","text":"\"Remember that the colour is blue.\""}');
INSERT INTO "part" VALUES('prt_24b1d8af5001HegXgMyxfUmXDm','msg_24b1d89e8001agYKQ6hawxD45K','ses_db4e2788bfferFs0J5MeNOrAjj',1796556557045,1796556557047,'{"type":"step-start"}');
INSERT INTO "part" VALUES('prt_24b1d8af9001JQ10wIyGAMHTqD','msg_24b1d89e8001agYKQ6hawxD45K','ses_db4e2788bfferFs0J5MeNOrAjj',1796556557049,1796556557056,'{"type":"text","text":"Noted: the colour is blue.","time":{"start":1796556557049,"end":1796556557055}}');
INSERT INTO "part" VALUES('prt_24b1d8b03001EDs6HzpWp1ipYb','msg_24b1d89e8001agYKQ6hawxD45K','ses_db4e2788bfferFs0J5MeNOrAjj',1796556557059,1796556557060,'{"reason":"stop","type":"step-finish","tokens":{"total":4108,"input":1100,"output":8,"reasoning":0,"cache":{"write":0,"read":3000}},"cost":0.00432}');
INSERT INTO "part" VALUES('prt_24b1d903a001sXHOG3VyMmYLkE','msg_24b1d902b001uqV5uln4T73d2Z','ses_db4e2788bfferFs0J5MeNOrAjj',1796556558403,1796556558405,'{"type":"text","text":"\"Which colour did I say?\""}');
INSERT INTO "part" VALUES('prt_24b1d9520001RaU8EfayrxVKLA','msg_24b1d92d9001R9N4fPNm8EaQou','ses_db4e2788bfferFs0J5MeNOrAjj',1796556559648,1796556559650,'{"type":"step-start"}');
INSERT INTO "part" VALUES('prt_24b1d9524001ve3w7k50YVjSzw','msg_24b1d92d9001R9N4fPNm8EaQou','ses_db4e2788bfferFs0J5MeNOrAjj',1796556559652,1796556559658,'{"type":"text","text":"You said blue.","time":{"start":1796556559652,"end":1796556559657}}');
INSERT INTO "part" VALUES('prt_24b1d952e001wk2fLLrvq9gBSk','msg_24b1d92d9001R9N4fPNm8EaQou','ses_db4e2788bfferFs0J5MeNOrAjj',1796556559662,1796556559663,'{"reason":"stop","type":"step-finish","tokens":{"total":3695,"input":90,"output":5,"reasoning":0,"cache":{"write":0,"read":3600}},"cost":0.001425}');
CREATE TABLE `permission` (
          `id` text PRIMARY KEY,
          `project_id` text NOT NULL,
          `action` text NOT NULL,
          `resource` text NOT NULL,
          `time_created` integer NOT NULL,
          `time_updated` integer NOT NULL,
          CONSTRAINT `fk_permission_project_id_project_id_fk` FOREIGN KEY (`project_id`) REFERENCES `project`(`id`) ON DELETE CASCADE
        );
CREATE TABLE `project` (
          `id` text PRIMARY KEY,
          `worktree` text NOT NULL,
          `vcs` text,
          `name` text,
          `icon_url` text,
          `icon_url_override` text,
          `icon_color` text,
          `time_created` integer NOT NULL,
          `time_updated` integer NOT NULL,
          `time_initialized` integer,
          `sandboxes` text NOT NULL,
          `commands` text
        );
INSERT INTO "project" VALUES('global','/',NULL,NULL,NULL,NULL,NULL,1796556555587,1796556558038,NULL,'[]',NULL);
CREATE TABLE `project_directory` (
          `project_id` text NOT NULL,
          `directory` text NOT NULL,
          `type` text,
          `strategy` text,
          `time_created` integer NOT NULL,
          CONSTRAINT `project_directory_pk` PRIMARY KEY(`project_id`, `directory`),
          CONSTRAINT `fk_project_directory_project_id_project_id_fk` FOREIGN KEY (`project_id`) REFERENCES `project`(`id`) ON DELETE CASCADE
        );
CREATE TABLE `session` (
          `id` text PRIMARY KEY,
          `project_id` text NOT NULL,
          `workspace_id` text,
          `parent_id` text,
          `slug` text NOT NULL,
          `directory` text NOT NULL,
          `path` text,
          `title` text NOT NULL,
          `version` text NOT NULL,
          `share_url` text,
          `summary_additions` integer,
          `summary_deletions` integer,
          `summary_files` integer,
          `summary_diffs` text,
          `metadata` text,
          `cost` real DEFAULT 0 NOT NULL,
          `tokens_input` integer DEFAULT 0 NOT NULL,
          `tokens_output` integer DEFAULT 0 NOT NULL,
          `tokens_reasoning` integer DEFAULT 0 NOT NULL,
          `tokens_cache_read` integer DEFAULT 0 NOT NULL,
          `tokens_cache_write` integer DEFAULT 0 NOT NULL,
          `revert` text,
          `permission` text,
          `agent` text,
          `model` text,
          `time_created` integer NOT NULL,
          `time_updated` integer NOT NULL,
          `time_compacting` integer,
          `time_archived` integer,
          CONSTRAINT `fk_session_project_id_project_id_fk` FOREIGN KEY (`project_id`) REFERENCES `project`(`id`) ON DELETE CASCADE
        );
INSERT INTO "session" VALUES('ses_db4e2788bfferFs0J5MeNOrAjj','global',NULL,NULL,'proud-circuit','/tmp/am-agents/opencode-resume/project','tmp/am-agents/opencode-resume/project','The colour','1.18.33',NULL,0,0,0,NULL,NULL,0.005745,1190,13,0,6600,0,NULL,'[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]','build','{"id":"fake-model","providerID":"fake","variant":"default"}',1796556556148,1796556559688,NULL,NULL);
CREATE TABLE `session_context_epoch` (
          `session_id` text PRIMARY KEY,
          `baseline` text NOT NULL,
          `snapshot` text NOT NULL,
          `baseline_seq` integer NOT NULL,
          CONSTRAINT `fk_session_context_epoch_session_id_session_id_fk` FOREIGN KEY (`session_id`) REFERENCES `session`(`id`) ON DELETE CASCADE
        );
CREATE TABLE `session_input` (
          `id` text PRIMARY KEY,
          `session_id` text NOT NULL,
          `prompt` text NOT NULL,
          `delivery` text NOT NULL,
          `admitted_seq` integer NOT NULL,
          `promoted_seq` integer,
          `time_created` integer NOT NULL,
          CONSTRAINT `fk_session_input_session_id_session_id_fk` FOREIGN KEY (`session_id`) REFERENCES `session`(`id`) ON DELETE CASCADE
        );
CREATE TABLE `session_message` (
          `id` text PRIMARY KEY,
          `session_id` text NOT NULL,
          `type` text NOT NULL,
          `seq` integer NOT NULL,
          `time_created` integer NOT NULL,
          `time_updated` integer NOT NULL,
          `data` text NOT NULL,
          CONSTRAINT `fk_session_message_session_id_session_id_fk` FOREIGN KEY (`session_id`) REFERENCES `session`(`id`) ON DELETE CASCADE
        );
CREATE TABLE `session_share` (
          `session_id` text PRIMARY KEY,
          `id` text NOT NULL,
          `secret` text NOT NULL,
          `url` text NOT NULL,
          `time_created` integer NOT NULL,
          `time_updated` integer NOT NULL,
          CONSTRAINT `fk_session_share_session_id_session_id_fk` FOREIGN KEY (`session_id`) REFERENCES `session`(`id`) ON DELETE CASCADE
        );
CREATE TABLE `todo` (
          `session_id` text NOT NULL,
          `content` text NOT NULL,
          `status` text NOT NULL,
          `priority` text NOT NULL,
          `position` integer NOT NULL,
          `time_created` integer NOT NULL,
          `time_updated` integer NOT NULL,
          CONSTRAINT `todo_pk` PRIMARY KEY(`session_id`, `position`),
          CONSTRAINT `fk_todo_session_id_session_id_fk` FOREIGN KEY (`session_id`) REFERENCES `session`(`id`) ON DELETE CASCADE
        );
CREATE TABLE `workspace` (
          `id` text PRIMARY KEY,
          `type` text NOT NULL,
          `name` text DEFAULT '' NOT NULL,
          `branch` text,
          `directory` text,
          `extra` text,
          `project_id` text NOT NULL,
          `time_used` integer NOT NULL,
          CONSTRAINT `fk_workspace_project_id_project_id_fk` FOREIGN KEY (`project_id`) REFERENCES `project`(`id`) ON DELETE CASCADE
        );
CREATE UNIQUE INDEX `event_aggregate_seq_idx` ON `event` (`aggregate_id`,`seq`);
CREATE INDEX `event_aggregate_type_seq_idx` ON `event` (`aggregate_id`,`type`,`seq`);
CREATE UNIQUE INDEX `permission_project_action_resource_idx` ON `permission` (`project_id`,`action`,`resource`);
CREATE INDEX `message_session_time_created_id_idx` ON `message` (`session_id`,`time_created`,`id`);
CREATE INDEX `part_message_id_id_idx` ON `part` (`message_id`,`id`);
CREATE INDEX `part_session_idx` ON `part` (`session_id`);
CREATE INDEX `session_input_session_pending_delivery_seq_idx` ON `session_input` (`session_id`,`promoted_seq`,`delivery`,`admitted_seq`);
CREATE UNIQUE INDEX `session_input_session_admitted_seq_idx` ON `session_input` (`session_id`,`admitted_seq`);
CREATE UNIQUE INDEX `session_input_session_promoted_seq_idx` ON `session_input` (`session_id`,`promoted_seq`);
CREATE UNIQUE INDEX `session_message_session_seq_idx` ON `session_message` (`session_id`,`seq`);
CREATE INDEX `session_message_session_type_seq_idx` ON `session_message` (`session_id`,`type`,`seq`);
CREATE INDEX `session_message_session_time_created_id_idx` ON `session_message` (`session_id`,`time_created`,`id`);
CREATE INDEX `session_message_time_created_idx` ON `session_message` (`time_created`);
CREATE INDEX `session_project_idx` ON `session` (`project_id`);
CREATE INDEX `session_workspace_idx` ON `session` (`workspace_id`);
CREATE INDEX `session_parent_idx` ON `session` (`parent_id`);
CREATE INDEX `todo_session_idx` ON `todo` (`session_id`);
COMMIT;
