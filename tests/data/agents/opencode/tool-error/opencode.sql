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
INSERT INTO "event" VALUES('evt_24b1ddb3e001z6GKxu17xzYsTY','ses_db4e224c2ffe13TghiPUU6sQtb',0,'session.created.1','{"sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","info":{"id":"ses_db4e224c2ffe13TghiPUU6sQtb","slug":"tidy-engine","projectID":"global","directory":"/tmp/am-agents/opencode-tool-error/project","path":"tmp/am-agents/opencode-tool-error/project","cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}},"title":"New session - 2026-12-06T11:29:37.597Z","version":"1.18.33","time":{"created":1796556577597,"updated":1796556577597},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1ddb5f001yMXLQDszDCEZHb','ses_db4e224c2ffe13TghiPUU6sQtb',1,'session.updated.1','{"sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","info":{"id":"ses_db4e224c2ffe13TghiPUU6sQtb","slug":"tidy-engine","projectID":"global","directory":"/tmp/am-agents/opencode-tool-error/project","path":"tmp/am-agents/opencode-tool-error/project","cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}},"title":"New session - 2026-12-06T11:29:37.597Z","agent":"build","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556577597,"updated":1796556577629},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1ddb64001J34YdDJwN6wJV9','ses_db4e224c2ffe13TghiPUU6sQtb',2,'message.updated.1','{"sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","info":{"id":"msg_24b1ddb5d001RAYM4hAHLuKX5l","sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","role":"user","time":{"created":1796556577629},"agent":"build","model":{"providerID":"fake","modelID":"fake-model"}}}');
INSERT INTO "event" VALUES('evt_24b1ddb670014DL4SybAPczoye','ses_db4e224c2ffe13TghiPUU6sQtb',3,'message.part.updated.1','{"sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","part":{"id":"prt_24b1ddb63001nIJ7s83YUjpfdQ","sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","messageID":"msg_24b1ddb5d001RAYM4hAHLuKX5l","type":"text","text":"\"Read missing.txt.\""},"time":1796556577638}');
INSERT INTO "event" VALUES('evt_24b1ddb6a001Uj801MwCmjph8l','ses_db4e224c2ffe13TghiPUU6sQtb',4,'session.updated.1','{"sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","info":{"id":"ses_db4e224c2ffe13TghiPUU6sQtb","slug":"tidy-engine","projectID":"global","directory":"/tmp/am-agents/opencode-tool-error/project","path":"tmp/am-agents/opencode-tool-error/project","cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}},"title":"New session - 2026-12-06T11:29:37.597Z","agent":"build","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556577597,"updated":1796556577641},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1dddc4001Y11vKB4kHZfl6o','ses_db4e224c2ffe13TghiPUU6sQtb',5,'message.updated.1','{"sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","info":{"id":"msg_24b1dddc30016lCGmKm22WNafM","sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","role":"assistant","time":{"created":1796556578243},"parentID":"msg_24b1ddb5d001RAYM4hAHLuKX5l","modelID":"fake-model","providerID":"fake","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-tool-error/project","root":"/"},"cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}}}}');
INSERT INTO "event" VALUES('evt_24b1dde05001Dxu9YIFPBlsP0W','ses_db4e224c2ffe13TghiPUU6sQtb',6,'session.updated.1','{"sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","info":{"id":"ses_db4e224c2ffe13TghiPUU6sQtb","slug":"tidy-engine","projectID":"global","directory":"/tmp/am-agents/opencode-tool-error/project","path":"tmp/am-agents/opencode-tool-error/project","cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}},"title":"Read a file","agent":"build","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556577597,"updated":1796556577641},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1dde1c001AxVhb9ElnJWoV3','ses_db4e224c2ffe13TghiPUU6sQtb',7,'session.updated.1','{"sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","info":{"id":"ses_db4e224c2ffe13TghiPUU6sQtb","slug":"tidy-engine","projectID":"global","directory":"/tmp/am-agents/opencode-tool-error/project","path":"tmp/am-agents/opencode-tool-error/project","summary":{"additions":0,"deletions":0,"files":0},"cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}},"title":"Read a file","agent":"build","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556577597,"updated":1796556578331},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1dde21001mr4c3oHlbpzF6E','ses_db4e224c2ffe13TghiPUU6sQtb',8,'message.updated.1','{"sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","info":{"id":"msg_24b1ddb5d001RAYM4hAHLuKX5l","sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","role":"user","time":{"created":1796556577629},"summary":{"diffs":[]},"agent":"build","model":{"providerID":"fake","modelID":"fake-model"}}}');
INSERT INTO "event" VALUES('evt_24b1ddec0001BJUAamblRljrIY','ses_db4e224c2ffe13TghiPUU6sQtb',9,'message.part.updated.1','{"sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","part":{"id":"prt_24b1ddebf001GfcQiTug8g7BF6","sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","messageID":"msg_24b1dddc30016lCGmKm22WNafM","type":"step-start"},"time":1796556578495}');
INSERT INTO "event" VALUES('evt_24b1ddec4001XjB6QEQCxGW5hu','ses_db4e224c2ffe13TghiPUU6sQtb',10,'message.part.updated.1','{"sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","part":{"id":"prt_24b1ddec40016Ag6v7GYQi9Zwo","sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","messageID":"msg_24b1dddc30016lCGmKm22WNafM","type":"tool","callID":"call_fake_0003_0","tool":"read","state":{"status":"pending","input":{},"raw":""}},"time":1796556578500}');
INSERT INTO "event" VALUES('evt_24b1ddecf0015XZ5tWgpiddtFB','ses_db4e224c2ffe13TghiPUU6sQtb',11,'message.part.updated.1','{"sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","part":{"id":"prt_24b1ddec40016Ag6v7GYQi9Zwo","sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","messageID":"msg_24b1dddc30016lCGmKm22WNafM","type":"tool","callID":"call_fake_0003_0","tool":"read","state":{"status":"running","input":{"filePath":"/tmp/am-agents/opencode-tool-error/project/missing.txt"},"time":{"start":1796556578511}}},"time":1796556578511}');
INSERT INTO "event" VALUES('evt_24b1dded7001SyEyNx1vg0L61O','ses_db4e224c2ffe13TghiPUU6sQtb',12,'message.part.updated.1','{"sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","part":{"id":"prt_24b1ddec40016Ag6v7GYQi9Zwo","sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","messageID":"msg_24b1dddc30016lCGmKm22WNafM","type":"tool","callID":"call_fake_0003_0","tool":"read","state":{"status":"error","input":{"filePath":"/tmp/am-agents/opencode-tool-error/project/missing.txt"},"error":"File not found: /tmp/am-agents/opencode-tool-error/project/missing.txt","time":{"start":1796556578511,"end":1796556578519}}},"time":1796556578519}');
INSERT INTO "event" VALUES('evt_24b1ddedc001TgDVA6od0KETrb','ses_db4e224c2ffe13TghiPUU6sQtb',13,'message.part.updated.1','{"sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","part":{"id":"prt_24b1ddedc0010YyBX2K13vDUif","sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","messageID":"msg_24b1dddc30016lCGmKm22WNafM","type":"step-finish","reason":"tool-calls","cost":0.00663,"tokens":{"total":5722,"input":1700,"output":22,"reasoning":0,"cache":{"read":4000,"write":0}}},"time":1796556578524}');
INSERT INTO "event" VALUES('evt_24b1ddede0019jUdmgdrtI3SIn','ses_db4e224c2ffe13TghiPUU6sQtb',14,'message.updated.1','{"sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","info":{"id":"msg_24b1dddc30016lCGmKm22WNafM","sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","role":"assistant","time":{"created":1796556578243},"parentID":"msg_24b1ddb5d001RAYM4hAHLuKX5l","modelID":"fake-model","providerID":"fake","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-tool-error/project","root":"/"},"cost":0.00663,"tokens":{"total":5722,"input":1700,"output":22,"reasoning":0,"cache":{"read":4000,"write":0}},"finish":"tool-calls"}}');
INSERT INTO "event" VALUES('evt_24b1ddee2001LnXAppZiv6ALqd','ses_db4e224c2ffe13TghiPUU6sQtb',15,'message.updated.1','{"sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","info":{"id":"msg_24b1dddc30016lCGmKm22WNafM","sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","role":"assistant","time":{"created":1796556578243,"completed":1796556578530},"parentID":"msg_24b1ddb5d001RAYM4hAHLuKX5l","modelID":"fake-model","providerID":"fake","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-tool-error/project","root":"/"},"cost":0.00663,"tokens":{"total":5722,"input":1700,"output":22,"reasoning":0,"cache":{"read":4000,"write":0}},"finish":"tool-calls"}}');
INSERT INTO "event" VALUES('evt_24b1ddee60019gn0vn7FnSakCM','ses_db4e224c2ffe13TghiPUU6sQtb',16,'message.updated.1','{"sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","info":{"id":"msg_24b1ddee50016QB9j4OcQK40yl","sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","role":"assistant","time":{"created":1796556578533},"parentID":"msg_24b1ddb5d001RAYM4hAHLuKX5l","modelID":"fake-model","providerID":"fake","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-tool-error/project","root":"/"},"cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}}}}');
INSERT INTO "event" VALUES('evt_24b1ddef7002uLVtk4wuOFlu4p','ses_db4e224c2ffe13TghiPUU6sQtb',17,'session.updated.1','{"sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","info":{"id":"ses_db4e224c2ffe13TghiPUU6sQtb","slug":"tidy-engine","projectID":"global","directory":"/tmp/am-agents/opencode-tool-error/project","path":"tmp/am-agents/opencode-tool-error/project","summary":{"additions":0,"deletions":0,"files":0},"cost":0.00663,"tokens":{"input":1700,"output":22,"reasoning":0,"cache":{"read":4000,"write":0}},"title":"Read a file","agent":"build","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556577597,"updated":1796556578551},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1ddefb001RfN50d4PsbNSwI','ses_db4e224c2ffe13TghiPUU6sQtb',18,'message.updated.1','{"sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","info":{"id":"msg_24b1ddb5d001RAYM4hAHLuKX5l","sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","role":"user","time":{"created":1796556577629},"summary":{"diffs":[]},"agent":"build","model":{"providerID":"fake","modelID":"fake-model"}}}');
INSERT INTO "event" VALUES('evt_24b1de012001eYDL2wKRg0qegV','ses_db4e224c2ffe13TghiPUU6sQtb',19,'message.part.updated.1','{"sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","part":{"id":"prt_24b1de011001farVdm1hfLSIo4","sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","messageID":"msg_24b1ddee50016QB9j4OcQK40yl","type":"step-start"},"time":1796556578834}');
INSERT INTO "event" VALUES('evt_24b1de0190017Gq9tA5HcgfHzN','ses_db4e224c2ffe13TghiPUU6sQtb',20,'message.part.updated.1','{"sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","part":{"id":"prt_24b1de017001LuuHKgtjFRSsYT","sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","messageID":"msg_24b1ddee50016QB9j4OcQK40yl","type":"text","text":"","time":{"start":1796556578839}},"time":1796556578839}');
INSERT INTO "event" VALUES('evt_24b1de01f001KXdgVffEMJUdmM','ses_db4e224c2ffe13TghiPUU6sQtb',21,'message.part.updated.1','{"sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","part":{"id":"prt_24b1de017001LuuHKgtjFRSsYT","sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","messageID":"msg_24b1ddee50016QB9j4OcQK40yl","type":"text","text":"missing.txt does not exist.","time":{"start":1796556578839,"end":1796556578847}},"time":1796556578847}');
INSERT INTO "event" VALUES('evt_24b1de025001XwBqQicYv2AbfM','ses_db4e224c2ffe13TghiPUU6sQtb',22,'message.part.updated.1','{"sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","part":{"id":"prt_24b1de0250015syskSt04yMUnu","sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","messageID":"msg_24b1ddee50016QB9j4OcQK40yl","type":"step-finish","reason":"stop","cost":0.002265,"tokens":{"total":4859,"input":250,"output":9,"reasoning":0,"cache":{"read":4600,"write":0}}},"time":1796556578853}');
INSERT INTO "event" VALUES('evt_24b1de031001vgw17jdmDjvEN5','ses_db4e224c2ffe13TghiPUU6sQtb',23,'message.updated.1','{"sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","info":{"id":"msg_24b1ddee50016QB9j4OcQK40yl","sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","role":"assistant","time":{"created":1796556578533},"parentID":"msg_24b1ddb5d001RAYM4hAHLuKX5l","modelID":"fake-model","providerID":"fake","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-tool-error/project","root":"/"},"cost":0.002265,"tokens":{"total":4859,"input":250,"output":9,"reasoning":0,"cache":{"read":4600,"write":0}},"finish":"stop"}}');
INSERT INTO "event" VALUES('evt_24b1de037001PKUU5jEb1ublhT','ses_db4e224c2ffe13TghiPUU6sQtb',24,'message.updated.1','{"sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","info":{"id":"msg_24b1ddee50016QB9j4OcQK40yl","sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","role":"assistant","time":{"created":1796556578533,"completed":1796556578871},"parentID":"msg_24b1ddb5d001RAYM4hAHLuKX5l","modelID":"fake-model","providerID":"fake","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-tool-error/project","root":"/"},"cost":0.002265,"tokens":{"total":4859,"input":250,"output":9,"reasoning":0,"cache":{"read":4600,"write":0}},"finish":"stop"}}');
INSERT INTO "event" VALUES('evt_24b1de1770010h1G9ikFBcItvR','ses_db4e224c2ffe13TghiPUU6sQtb',25,'session.updated.1','{"sessionID":"ses_db4e224c2ffe13TghiPUU6sQtb","info":{"id":"ses_db4e224c2ffe13TghiPUU6sQtb","slug":"tidy-engine","projectID":"global","directory":"/tmp/am-agents/opencode-tool-error/project","path":"tmp/am-agents/opencode-tool-error/project","summary":{"additions":0,"deletions":0,"files":0},"cost":0.008895,"tokens":{"input":1950,"output":31,"reasoning":0,"cache":{"read":8600,"write":0}},"title":"Read a file","agent":"build","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556577597,"updated":1796556579190},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
CREATE TABLE `event_sequence` (
          `aggregate_id` text PRIMARY KEY,
          `seq` integer NOT NULL,
          `owner_id` text
        );
INSERT INTO "event_sequence" VALUES('ses_db4e224c2ffe13TghiPUU6sQtb',25,NULL);
CREATE TABLE `message` (
          `id` text PRIMARY KEY,
          `session_id` text NOT NULL,
          `time_created` integer NOT NULL,
          `time_updated` integer NOT NULL,
          `data` text NOT NULL,
          CONSTRAINT `fk_message_session_id_session_id_fk` FOREIGN KEY (`session_id`) REFERENCES `session`(`id`) ON DELETE CASCADE
        );
INSERT INTO "message" VALUES('msg_24b1ddb5d001RAYM4hAHLuKX5l','ses_db4e224c2ffe13TghiPUU6sQtb',1796556577629,1796556578555,'{"role":"user","time":{"created":1796556577629},"agent":"build","model":{"providerID":"fake","modelID":"fake-model"},"summary":{"diffs":[]}}');
INSERT INTO "message" VALUES('msg_24b1dddc30016lCGmKm22WNafM','ses_db4e224c2ffe13TghiPUU6sQtb',1796556578243,1796556578531,'{"parentID":"msg_24b1ddb5d001RAYM4hAHLuKX5l","role":"assistant","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-tool-error/project","root":"/"},"cost":0.00663,"tokens":{"total":5722,"input":1700,"output":22,"reasoning":0,"cache":{"write":0,"read":4000}},"modelID":"fake-model","providerID":"fake","time":{"created":1796556578243,"completed":1796556578530},"finish":"tool-calls"}');
INSERT INTO "message" VALUES('msg_24b1ddee50016QB9j4OcQK40yl','ses_db4e224c2ffe13TghiPUU6sQtb',1796556578533,1796556578873,'{"parentID":"msg_24b1ddb5d001RAYM4hAHLuKX5l","role":"assistant","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-tool-error/project","root":"/"},"cost":0.002265,"tokens":{"total":4859,"input":250,"output":9,"reasoning":0,"cache":{"write":0,"read":4600}},"modelID":"fake-model","providerID":"fake","time":{"created":1796556578533,"completed":1796556578871},"finish":"stop"}');
CREATE TABLE "migration" (id TEXT PRIMARY KEY, time_completed INTEGER NOT NULL);
INSERT INTO "migration" VALUES('20260127222353_familiar_lady_ursula',1796556576795);
INSERT INTO "migration" VALUES('20260211171708_add_project_commands',1796556576795);
INSERT INTO "migration" VALUES('20260213144116_wakeful_the_professor',1796556576795);
INSERT INTO "migration" VALUES('20260225215848_workspace',1796556576795);
INSERT INTO "migration" VALUES('20260227213759_add_session_workspace_id',1796556576796);
INSERT INTO "migration" VALUES('20260228203230_blue_harpoon',1796556576796);
INSERT INTO "migration" VALUES('20260303231226_add_workspace_fields',1796556576796);
INSERT INTO "migration" VALUES('20260309230000_move_org_to_state',1796556576796);
INSERT INTO "migration" VALUES('20260312043431_session_message_cursor',1796556576797);
INSERT INTO "migration" VALUES('20260323234822_events',1796556576798);
INSERT INTO "migration" VALUES('20260410174513_workspace-name',1796556576798);
INSERT INTO "migration" VALUES('20260413175956_chief_energizer',1796556576798);
INSERT INTO "migration" VALUES('20260423070820_add_icon_url_override',1796556576798);
INSERT INTO "migration" VALUES('20260427172553_slow_nightmare',1796556576798);
INSERT INTO "migration" VALUES('20260428004200_add_session_path',1796556576798);
INSERT INTO "migration" VALUES('20260501142318_next_venus',1796556576799);
INSERT INTO "migration" VALUES('20260504145000_add_sync_owner',1796556576799);
INSERT INTO "migration" VALUES('20260507164347_add_workspace_time',1796556576799);
INSERT INTO "migration" VALUES('20260510033149_session_usage',1796556576799);
INSERT INTO "migration" VALUES('20260511000411_data_migration_state',1796556576803);
INSERT INTO "migration" VALUES('20260511173437_session-metadata',1796556576803);
INSERT INTO "migration" VALUES('20260601010001_normalize_storage_paths',1796556576803);
INSERT INTO "migration" VALUES('20260601202201_amazing_prowler',1796556576803);
INSERT INTO "migration" VALUES('20260602002951_lowly_union_jack',1796556576803);
INSERT INTO "migration" VALUES('20260602182828_add_project_directories',1796556576803);
INSERT INTO "migration" VALUES('20260603001617_session_message_projection_indexes',1796556576803);
INSERT INTO "migration" VALUES('20260603040000_session_message_projection_order',1796556576804);
INSERT INTO "migration" VALUES('20260603141458_session_input_inbox',1796556576804);
INSERT INTO "migration" VALUES('20260603160727_jittery_ezekiel_stane',1796556576804);
INSERT INTO "migration" VALUES('20260604172448_event_sourced_session_input',1796556576805);
INSERT INTO "migration" VALUES('20260605003541_add_session_context_snapshot',1796556576805);
INSERT INTO "migration" VALUES('20260605042240_add_context_epoch_agent',1796556576805);
INSERT INTO "migration" VALUES('20260611035744_credential',1796556576805);
INSERT INTO "migration" VALUES('20260611192811_lush_chimera',1796556576805);
INSERT INTO "migration" VALUES('20260612174303_project_dir_strategy',1796556576806);
INSERT INTO "migration" VALUES('20260622142730_simplify_session_context_epoch',1796556576806);
INSERT INTO "migration" VALUES('20260622170816_reset_v2_session_state',1796556576806);
INSERT INTO "migration" VALUES('20260622202450_simplify_session_input',1796556576806);
CREATE TABLE `part` (
          `id` text PRIMARY KEY,
          `message_id` text NOT NULL,
          `session_id` text NOT NULL,
          `time_created` integer NOT NULL,
          `time_updated` integer NOT NULL,
          `data` text NOT NULL,
          CONSTRAINT `fk_part_message_id_message_id_fk` FOREIGN KEY (`message_id`) REFERENCES `message`(`id`) ON DELETE CASCADE
        );
INSERT INTO "part" VALUES('prt_24b1ddb63001nIJ7s83YUjpfdQ','msg_24b1ddb5d001RAYM4hAHLuKX5l','ses_db4e224c2ffe13TghiPUU6sQtb',1796556577638,1796556577640,'{"type":"text","text":"\"Read missing.txt.\""}');
INSERT INTO "part" VALUES('prt_24b1ddebf001GfcQiTug8g7BF6','msg_24b1dddc30016lCGmKm22WNafM','ses_db4e224c2ffe13TghiPUU6sQtb',1796556578495,1796556578497,'{"type":"step-start"}');
INSERT INTO "part" VALUES('prt_24b1ddec40016Ag6v7GYQi9Zwo','msg_24b1dddc30016lCGmKm22WNafM','ses_db4e224c2ffe13TghiPUU6sQtb',1796556578500,1796556578520,'{"type":"tool","tool":"read","callID":"call_fake_0003_0","state":{"status":"error","input":{"filePath":"/tmp/am-agents/opencode-tool-error/project/missing.txt"},"error":"File not found: /tmp/am-agents/opencode-tool-error/project/missing.txt","time":{"start":1796556578511,"end":1796556578519}}}');
INSERT INTO "part" VALUES('prt_24b1ddedc0010YyBX2K13vDUif','msg_24b1dddc30016lCGmKm22WNafM','ses_db4e224c2ffe13TghiPUU6sQtb',1796556578524,1796556578525,'{"reason":"tool-calls","type":"step-finish","tokens":{"total":5722,"input":1700,"output":22,"reasoning":0,"cache":{"write":0,"read":4000}},"cost":0.00663}');
INSERT INTO "part" VALUES('prt_24b1de011001farVdm1hfLSIo4','msg_24b1ddee50016QB9j4OcQK40yl','ses_db4e224c2ffe13TghiPUU6sQtb',1796556578834,1796556578837,'{"type":"step-start"}');
INSERT INTO "part" VALUES('prt_24b1de017001LuuHKgtjFRSsYT','msg_24b1ddee50016QB9j4OcQK40yl','ses_db4e224c2ffe13TghiPUU6sQtb',1796556578839,1796556578849,'{"type":"text","text":"missing.txt does not exist.","time":{"start":1796556578839,"end":1796556578847}}');
INSERT INTO "part" VALUES('prt_24b1de0250015syskSt04yMUnu','msg_24b1ddee50016QB9j4OcQK40yl','ses_db4e224c2ffe13TghiPUU6sQtb',1796556578853,1796556578855,'{"reason":"stop","type":"step-finish","tokens":{"total":4859,"input":250,"output":9,"reasoning":0,"cache":{"write":0,"read":4600}},"cost":0.002265}');
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
INSERT INTO "project" VALUES('global','/',NULL,NULL,NULL,NULL,NULL,1796556577051,1796556577051,NULL,'[]',NULL);
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
INSERT INTO "session" VALUES('ses_db4e224c2ffe13TghiPUU6sQtb','global',NULL,NULL,'tidy-engine','/tmp/am-agents/opencode-tool-error/project','tmp/am-agents/opencode-tool-error/project','Read a file','1.18.33',NULL,0,0,0,NULL,NULL,0.008895,1950,31,0,8600,0,NULL,'[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]','build','{"id":"fake-model","providerID":"fake","variant":"default"}',1796556577597,1796556579190,NULL,NULL);
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
