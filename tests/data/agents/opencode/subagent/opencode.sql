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
INSERT INTO "event" VALUES('evt_24b1da626001uwZVSCM5KK1yw0','ses_db4e259daffeNaNz4luuW66CoH',0,'session.created.1','{"sessionID":"ses_db4e259daffeNaNz4luuW66CoH","info":{"id":"ses_db4e259daffeNaNz4luuW66CoH","slug":"lucky-cactus","projectID":"global","directory":"/tmp/am-agents/opencode-subagent/project","path":"tmp/am-agents/opencode-subagent/project","cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}},"title":"New session - 2026-12-06T11:29:24.005Z","version":"1.18.33","time":{"created":1796556564005,"updated":1796556564005},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1da660001KjFHvYrXuL2wqw','ses_db4e259daffeNaNz4luuW66CoH',1,'session.updated.1','{"sessionID":"ses_db4e259daffeNaNz4luuW66CoH","info":{"id":"ses_db4e259daffeNaNz4luuW66CoH","slug":"lucky-cactus","projectID":"global","directory":"/tmp/am-agents/opencode-subagent/project","path":"tmp/am-agents/opencode-subagent/project","cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}},"title":"New session - 2026-12-06T11:29:24.005Z","agent":"build","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556564005,"updated":1796556564048},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1da666001fPSKfBqA7BM2oF','ses_db4e259daffeNaNz4luuW66CoH',2,'message.updated.1','{"sessionID":"ses_db4e259daffeNaNz4luuW66CoH","info":{"id":"msg_24b1da650001QPZcnaLEXhYKbq","sessionID":"ses_db4e259daffeNaNz4luuW66CoH","role":"user","time":{"created":1796556564048},"agent":"build","model":{"providerID":"fake","modelID":"fake-model"}}}');
INSERT INTO "event" VALUES('evt_24b1da669001RGI8AReEhuYfod','ses_db4e259daffeNaNz4luuW66CoH',3,'message.part.updated.1','{"sessionID":"ses_db4e259daffeNaNz4luuW66CoH","part":{"id":"prt_24b1da6650012nAgVP5Qvfzt1v","sessionID":"ses_db4e259daffeNaNz4luuW66CoH","messageID":"msg_24b1da650001QPZcnaLEXhYKbq","type":"text","text":"\"Use a subagent to count the files here.\""},"time":1796556564073}');
INSERT INTO "event" VALUES('evt_24b1da66d001aa7inoTlq7IY9g','ses_db4e259daffeNaNz4luuW66CoH',4,'session.updated.1','{"sessionID":"ses_db4e259daffeNaNz4luuW66CoH","info":{"id":"ses_db4e259daffeNaNz4luuW66CoH","slug":"lucky-cactus","projectID":"global","directory":"/tmp/am-agents/opencode-subagent/project","path":"tmp/am-agents/opencode-subagent/project","cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}},"title":"New session - 2026-12-06T11:29:24.005Z","agent":"build","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556564005,"updated":1796556564076},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1da910001b2TVnxEtgzSwTI','ses_db4e259daffeNaNz4luuW66CoH',5,'message.updated.1','{"sessionID":"ses_db4e259daffeNaNz4luuW66CoH","info":{"id":"msg_24b1da9100019X3ZvenQ4AsQOl","sessionID":"ses_db4e259daffeNaNz4luuW66CoH","role":"assistant","time":{"created":1796556564752},"parentID":"msg_24b1da650001QPZcnaLEXhYKbq","modelID":"fake-model","providerID":"fake","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-subagent/project","root":"/"},"cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}}}}');
INSERT INTO "event" VALUES('evt_24b1da95b001aJDvRk67N1FVOD','ses_db4e259daffeNaNz4luuW66CoH',6,'session.updated.1','{"sessionID":"ses_db4e259daffeNaNz4luuW66CoH","info":{"id":"ses_db4e259daffeNaNz4luuW66CoH","slug":"lucky-cactus","projectID":"global","directory":"/tmp/am-agents/opencode-subagent/project","path":"tmp/am-agents/opencode-subagent/project","cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}},"title":"Count files","agent":"build","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556564005,"updated":1796556564076},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1da962001DrWC3eGavLaG45','ses_db4e259daffeNaNz4luuW66CoH',7,'session.updated.1','{"sessionID":"ses_db4e259daffeNaNz4luuW66CoH","info":{"id":"ses_db4e259daffeNaNz4luuW66CoH","slug":"lucky-cactus","projectID":"global","directory":"/tmp/am-agents/opencode-subagent/project","path":"tmp/am-agents/opencode-subagent/project","summary":{"additions":0,"deletions":0,"files":0},"cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}},"title":"Count files","agent":"build","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556564005,"updated":1796556564833},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1da967001w84ECJ5mXq7PCL','ses_db4e259daffeNaNz4luuW66CoH',8,'message.updated.1','{"sessionID":"ses_db4e259daffeNaNz4luuW66CoH","info":{"id":"msg_24b1da650001QPZcnaLEXhYKbq","sessionID":"ses_db4e259daffeNaNz4luuW66CoH","role":"user","time":{"created":1796556564048},"summary":{"diffs":[]},"agent":"build","model":{"providerID":"fake","modelID":"fake-model"}}}');
INSERT INTO "event" VALUES('evt_24b1dabfa0010oPOAWkLjpqWS3','ses_db4e259daffeNaNz4luuW66CoH',9,'message.part.updated.1','{"sessionID":"ses_db4e259daffeNaNz4luuW66CoH","part":{"id":"prt_24b1dabf9001l7K05HUSM0AkeI","sessionID":"ses_db4e259daffeNaNz4luuW66CoH","messageID":"msg_24b1da9100019X3ZvenQ4AsQOl","type":"step-start"},"time":1796556565498}');
INSERT INTO "event" VALUES('evt_24b1dabff001vY2UrK5kC2B4N2','ses_db4e259daffeNaNz4luuW66CoH',10,'message.part.updated.1','{"sessionID":"ses_db4e259daffeNaNz4luuW66CoH","part":{"id":"prt_24b1dabfe001vx3sHBEUy8pnLZ","sessionID":"ses_db4e259daffeNaNz4luuW66CoH","messageID":"msg_24b1da9100019X3ZvenQ4AsQOl","type":"tool","callID":"call_fake_0003_0","tool":"task","state":{"status":"pending","input":{},"raw":""}},"time":1796556565502}');
INSERT INTO "event" VALUES('evt_24b1dac0a0012rWwH2ZDhZw6h0','ses_db4e253f6ffec5JocirOTyBeTG',0,'session.created.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","info":{"id":"ses_db4e253f6ffec5JocirOTyBeTG","slug":"silent-river","projectID":"global","directory":"/tmp/am-agents/opencode-subagent/project","path":"tmp/am-agents/opencode-subagent/project","parentID":"ses_db4e259daffeNaNz4luuW66CoH","cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}},"title":"Count files (@general subagent)","agent":"general","version":"1.18.33","time":{"created":1796556565514,"updated":1796556565514},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"},{"permission":"task","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1dac0f001fSnYvxOa0BlN06','ses_db4e259daffeNaNz4luuW66CoH',11,'message.part.updated.1','{"sessionID":"ses_db4e259daffeNaNz4luuW66CoH","part":{"id":"prt_24b1dabfe001vx3sHBEUy8pnLZ","sessionID":"ses_db4e259daffeNaNz4luuW66CoH","messageID":"msg_24b1da9100019X3ZvenQ4AsQOl","type":"tool","callID":"call_fake_0003_0","tool":"task","state":{"status":"running","input":{"description":"Count files","prompt":"Count the files in the project directory and report the number.","subagent_type":"general"},"title":"Count files","metadata":{"parentSessionId":"ses_db4e259daffeNaNz4luuW66CoH","sessionId":"ses_db4e253f6ffec5JocirOTyBeTG","model":{"modelID":"fake-model","providerID":"fake"}},"time":{"start":1796556565518}}},"time":1796556565519}');
INSERT INTO "event" VALUES('evt_24b1dac16001PlwZ56Yslkvu1y','ses_db4e253f6ffec5JocirOTyBeTG',1,'session.updated.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","info":{"id":"ses_db4e253f6ffec5JocirOTyBeTG","slug":"silent-river","projectID":"global","directory":"/tmp/am-agents/opencode-subagent/project","path":"tmp/am-agents/opencode-subagent/project","parentID":"ses_db4e259daffeNaNz4luuW66CoH","cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}},"title":"Count files (@general subagent)","agent":"general","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556565514,"updated":1796556565525},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"},{"permission":"task","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1dac19001Yx6x9MFjWUZQt5','ses_db4e253f6ffec5JocirOTyBeTG',2,'message.updated.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","info":{"id":"msg_24b1dac140015PmUJsjE6KD7QN","sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","role":"user","time":{"created":1796556565525},"agent":"general","model":{"providerID":"fake","modelID":"fake-model"}}}');
INSERT INTO "event" VALUES('evt_24b1dac1c001Y04u0M34JDupMI','ses_db4e253f6ffec5JocirOTyBeTG',3,'message.part.updated.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","part":{"id":"prt_24b1dac19001YljAnxvx5xtEwx","sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","messageID":"msg_24b1dac140015PmUJsjE6KD7QN","type":"text","text":"Count the files in the project directory and report the number."},"time":1796556565532}');
INSERT INTO "event" VALUES('evt_24b1dac1f001g92K3HQlcvwa5s','ses_db4e253f6ffec5JocirOTyBeTG',4,'session.updated.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","info":{"id":"ses_db4e253f6ffec5JocirOTyBeTG","slug":"silent-river","projectID":"global","directory":"/tmp/am-agents/opencode-subagent/project","path":"tmp/am-agents/opencode-subagent/project","parentID":"ses_db4e259daffeNaNz4luuW66CoH","cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}},"title":"Count files (@general subagent)","agent":"general","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556565514,"updated":1796556565534},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"},{"permission":"task","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1dac260013v5cwR3KKCd3db','ses_db4e259daffeNaNz4luuW66CoH',12,'message.part.updated.1','{"sessionID":"ses_db4e259daffeNaNz4luuW66CoH","part":{"id":"prt_24b1dabfe001vx3sHBEUy8pnLZ","sessionID":"ses_db4e259daffeNaNz4luuW66CoH","messageID":"msg_24b1da9100019X3ZvenQ4AsQOl","type":"tool","callID":"call_fake_0003_0","tool":"task","state":{"status":"running","input":{"description":"Count files","prompt":"Count the files in the project directory and report the number.","subagent_type":"general"},"title":"Count files","metadata":{"parentSessionId":"ses_db4e259daffeNaNz4luuW66CoH","sessionId":"ses_db4e253f6ffec5JocirOTyBeTG","model":{"modelID":"fake-model","providerID":"fake"}},"time":{"start":1796556565518}}},"time":1796556565541}');
INSERT INTO "event" VALUES('evt_24b1dac2c00175E7MbZIaAiuL5','ses_db4e253f6ffec5JocirOTyBeTG',5,'message.updated.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","info":{"id":"msg_24b1dac2c0014JSSqxG5IV15is","sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","role":"assistant","time":{"created":1796556565548},"parentID":"msg_24b1dac140015PmUJsjE6KD7QN","modelID":"fake-model","providerID":"fake","mode":"general","agent":"general","path":{"cwd":"/tmp/am-agents/opencode-subagent/project","root":"/"},"cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}}}}');
INSERT INTO "event" VALUES('evt_24b1dac40001j0lxZm6v9wHtVc','ses_db4e253f6ffec5JocirOTyBeTG',6,'session.updated.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","info":{"id":"ses_db4e253f6ffec5JocirOTyBeTG","slug":"silent-river","projectID":"global","directory":"/tmp/am-agents/opencode-subagent/project","path":"tmp/am-agents/opencode-subagent/project","parentID":"ses_db4e259daffeNaNz4luuW66CoH","summary":{"additions":0,"deletions":0,"files":0},"cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}},"title":"Count files (@general subagent)","agent":"general","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556565514,"updated":1796556565556},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"},{"permission":"task","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1dac44001SJPXtvaCYzGGcV','ses_db4e253f6ffec5JocirOTyBeTG',7,'message.updated.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","info":{"id":"msg_24b1dac140015PmUJsjE6KD7QN","sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","role":"user","time":{"created":1796556565525},"summary":{"diffs":[]},"agent":"general","model":{"providerID":"fake","modelID":"fake-model"}}}');
INSERT INTO "event" VALUES('evt_24b1dac64001FI7vFMhemTx2v3','ses_db4e253f6ffec5JocirOTyBeTG',8,'message.part.updated.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","part":{"id":"prt_24b1dac640012N2kcTymMZuBo1","sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","messageID":"msg_24b1dac2c0014JSSqxG5IV15is","type":"step-start"},"time":1796556565604}');
INSERT INTO "event" VALUES('evt_24b1dac680017pn4v3fLpmSso2','ses_db4e253f6ffec5JocirOTyBeTG',9,'message.part.updated.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","part":{"id":"prt_24b1dac68001aNPg6Unk1K25in","sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","messageID":"msg_24b1dac2c0014JSSqxG5IV15is","type":"tool","callID":"call_fake_0005_0","tool":"bash","state":{"status":"pending","input":{},"raw":""}},"time":1796556565608}');
INSERT INTO "event" VALUES('evt_24b1dac6e0015gCaZn9yF4AJas','ses_db4e253f6ffec5JocirOTyBeTG',10,'message.part.updated.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","part":{"id":"prt_24b1dac68001aNPg6Unk1K25in","sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","messageID":"msg_24b1dac2c0014JSSqxG5IV15is","type":"tool","callID":"call_fake_0005_0","tool":"bash","state":{"status":"running","input":{"command":"ls | wc -l","description":"Count files"},"time":{"start":1796556565614}}},"time":1796556565614}');
INSERT INTO "event" VALUES('evt_24b1daca5001EkORgLG8tgXBfV','ses_db4e253f6ffec5JocirOTyBeTG',11,'message.part.updated.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","part":{"id":"prt_24b1dac68001aNPg6Unk1K25in","sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","messageID":"msg_24b1dac2c0014JSSqxG5IV15is","type":"tool","callID":"call_fake_0005_0","tool":"bash","state":{"status":"running","input":{"command":"ls | wc -l","description":"Count files"},"metadata":{"output":""},"time":{"start":1796556565614}}},"time":1796556565668}');
INSERT INTO "event" VALUES('evt_24b1dacba00190grmSTWxm5wxZ','ses_db4e253f6ffec5JocirOTyBeTG',12,'message.part.updated.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","part":{"id":"prt_24b1dac68001aNPg6Unk1K25in","sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","messageID":"msg_24b1dac2c0014JSSqxG5IV15is","type":"tool","callID":"call_fake_0005_0","tool":"bash","state":{"status":"running","input":{"command":"ls | wc -l","description":"Count files"},"metadata":{"output":"1\n"},"time":{"start":1796556565614}}},"time":1796556565690}');
INSERT INTO "event" VALUES('evt_24b1daccb001SoBroHfPgU1g6f','ses_db4e253f6ffec5JocirOTyBeTG',13,'message.part.updated.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","part":{"id":"prt_24b1dac68001aNPg6Unk1K25in","sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","messageID":"msg_24b1dac2c0014JSSqxG5IV15is","type":"tool","callID":"call_fake_0005_0","tool":"bash","state":{"status":"completed","input":{"command":"ls | wc -l","description":"Count files"},"output":"1\n","title":"ls | wc -l","metadata":{"output":"1\n","exit":0,"truncated":false},"time":{"start":1796556565614,"end":1796556565706}}},"time":1796556565707}');
INSERT INTO "event" VALUES('evt_24b1dacd0001x4MR34GxAHn41w','ses_db4e253f6ffec5JocirOTyBeTG',14,'message.part.updated.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","part":{"id":"prt_24b1daccf001PEy0etCUr46aPT","sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","messageID":"msg_24b1dac2c0014JSSqxG5IV15is","type":"step-finish","reason":"tool-calls","cost":0.004875,"tokens":{"total":1525,"input":1500,"output":25,"reasoning":0,"cache":{"read":0,"write":0}}},"time":1796556565711}');
INSERT INTO "event" VALUES('evt_24b1dacd2001ZRrjgIY945lkNB','ses_db4e253f6ffec5JocirOTyBeTG',15,'message.updated.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","info":{"id":"msg_24b1dac2c0014JSSqxG5IV15is","sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","role":"assistant","time":{"created":1796556565548},"parentID":"msg_24b1dac140015PmUJsjE6KD7QN","modelID":"fake-model","providerID":"fake","mode":"general","agent":"general","path":{"cwd":"/tmp/am-agents/opencode-subagent/project","root":"/"},"cost":0.004875,"tokens":{"total":1525,"input":1500,"output":25,"reasoning":0,"cache":{"read":0,"write":0}},"finish":"tool-calls"}}');
INSERT INTO "event" VALUES('evt_24b1dacd60019tVLpU3TIn6Ufe','ses_db4e253f6ffec5JocirOTyBeTG',16,'message.updated.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","info":{"id":"msg_24b1dac2c0014JSSqxG5IV15is","sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","role":"assistant","time":{"created":1796556565548,"completed":1796556565718},"parentID":"msg_24b1dac140015PmUJsjE6KD7QN","modelID":"fake-model","providerID":"fake","mode":"general","agent":"general","path":{"cwd":"/tmp/am-agents/opencode-subagent/project","root":"/"},"cost":0.004875,"tokens":{"total":1525,"input":1500,"output":25,"reasoning":0,"cache":{"read":0,"write":0}},"finish":"tool-calls"}}');
INSERT INTO "event" VALUES('evt_24b1dacda001LWhxpfTmlCUFwl','ses_db4e253f6ffec5JocirOTyBeTG',17,'message.updated.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","info":{"id":"msg_24b1dacda001MPvITW5hXBaZk1","sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","role":"assistant","time":{"created":1796556565722},"parentID":"msg_24b1dac140015PmUJsjE6KD7QN","modelID":"fake-model","providerID":"fake","mode":"general","agent":"general","path":{"cwd":"/tmp/am-agents/opencode-subagent/project","root":"/"},"cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}}}}');
INSERT INTO "event" VALUES('evt_24b1dace60010Z7ADWhgZZ4I6h','ses_db4e253f6ffec5JocirOTyBeTG',18,'session.updated.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","info":{"id":"ses_db4e253f6ffec5JocirOTyBeTG","slug":"silent-river","projectID":"global","directory":"/tmp/am-agents/opencode-subagent/project","path":"tmp/am-agents/opencode-subagent/project","parentID":"ses_db4e259daffeNaNz4luuW66CoH","summary":{"additions":0,"deletions":0,"files":0},"cost":0.004875,"tokens":{"input":1500,"output":25,"reasoning":0,"cache":{"read":0,"write":0}},"title":"Count files (@general subagent)","agent":"general","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556565514,"updated":1796556565733},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"},{"permission":"task","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1dacea001fLEB0I964i55ud','ses_db4e253f6ffec5JocirOTyBeTG',19,'message.updated.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","info":{"id":"msg_24b1dac140015PmUJsjE6KD7QN","sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","role":"user","time":{"created":1796556565525},"summary":{"diffs":[]},"agent":"general","model":{"providerID":"fake","modelID":"fake-model"}}}');
INSERT INTO "event" VALUES('evt_24b1dad0f001vpYBMRn4Xi2gkf','ses_db4e253f6ffec5JocirOTyBeTG',20,'message.part.updated.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","part":{"id":"prt_24b1dad0f001l2fHmoWHiyR8Tw","sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","messageID":"msg_24b1dacda001MPvITW5hXBaZk1","type":"step-start"},"time":1796556565775}');
INSERT INTO "event" VALUES('evt_24b1dad13001qv2wad8wZY2WDE','ses_db4e253f6ffec5JocirOTyBeTG',21,'message.part.updated.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","part":{"id":"prt_24b1dad12001cQYceRu2Euc6zd","sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","messageID":"msg_24b1dacda001MPvITW5hXBaZk1","type":"text","text":"","time":{"start":1796556565778}},"time":1796556565779}');
INSERT INTO "event" VALUES('evt_24b1dad16001wdQ2i43reFdh1n','ses_db4e253f6ffec5JocirOTyBeTG',22,'message.part.updated.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","part":{"id":"prt_24b1dad12001cQYceRu2Euc6zd","sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","messageID":"msg_24b1dacda001MPvITW5hXBaZk1","type":"text","text":"There is 1 file.","time":{"start":1796556565778,"end":1796556565782}},"time":1796556565782}');
INSERT INTO "event" VALUES('evt_24b1dad19001fqZv3SeJ7bBPH1','ses_db4e253f6ffec5JocirOTyBeTG',23,'message.part.updated.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","part":{"id":"prt_24b1dad19001x4vUDj1Uw3vpe0","sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","messageID":"msg_24b1dacda001MPvITW5hXBaZk1","type":"step-finish","reason":"stop","cost":0.001755,"tokens":{"total":4607,"input":100,"output":7,"reasoning":0,"cache":{"read":4500,"write":0}}},"time":1796556565785}');
INSERT INTO "event" VALUES('evt_24b1dad1b001Au3oBZHHDEiWwq','ses_db4e253f6ffec5JocirOTyBeTG',24,'message.updated.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","info":{"id":"msg_24b1dacda001MPvITW5hXBaZk1","sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","role":"assistant","time":{"created":1796556565722},"parentID":"msg_24b1dac140015PmUJsjE6KD7QN","modelID":"fake-model","providerID":"fake","mode":"general","agent":"general","path":{"cwd":"/tmp/am-agents/opencode-subagent/project","root":"/"},"cost":0.001755,"tokens":{"total":4607,"input":100,"output":7,"reasoning":0,"cache":{"read":4500,"write":0}},"finish":"stop"}}');
INSERT INTO "event" VALUES('evt_24b1dad1d001TkVScfdD8nzS6E','ses_db4e253f6ffec5JocirOTyBeTG',25,'message.updated.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","info":{"id":"msg_24b1dacda001MPvITW5hXBaZk1","sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","role":"assistant","time":{"created":1796556565722,"completed":1796556565789},"parentID":"msg_24b1dac140015PmUJsjE6KD7QN","modelID":"fake-model","providerID":"fake","mode":"general","agent":"general","path":{"cwd":"/tmp/am-agents/opencode-subagent/project","root":"/"},"cost":0.001755,"tokens":{"total":4607,"input":100,"output":7,"reasoning":0,"cache":{"read":4500,"write":0}},"finish":"stop"}}');
INSERT INTO "event" VALUES('evt_24b1dad28001PnS5Do0WpesAt0','ses_db4e259daffeNaNz4luuW66CoH',13,'message.part.updated.1','{"sessionID":"ses_db4e259daffeNaNz4luuW66CoH","part":{"id":"prt_24b1dabfe001vx3sHBEUy8pnLZ","sessionID":"ses_db4e259daffeNaNz4luuW66CoH","messageID":"msg_24b1da9100019X3ZvenQ4AsQOl","type":"tool","callID":"call_fake_0003_0","tool":"task","state":{"status":"completed","input":{"description":"Count files","prompt":"Count the files in the project directory and report the number.","subagent_type":"general"},"output":"<task id=\"ses_db4e253f6ffec5JocirOTyBeTG\" state=\"completed\">\n<task_result>\nThere is 1 file.\n</task_result>\n</task>","title":"Count files","metadata":{"parentSessionId":"ses_db4e259daffeNaNz4luuW66CoH","sessionId":"ses_db4e253f6ffec5JocirOTyBeTG","model":{"modelID":"fake-model","providerID":"fake"},"truncated":false},"time":{"start":1796556565518,"end":1796556565800}}},"time":1796556565800}');
INSERT INTO "event" VALUES('evt_24b1dad2b001uAezivzC1WE6qZ','ses_db4e259daffeNaNz4luuW66CoH',14,'message.part.updated.1','{"sessionID":"ses_db4e259daffeNaNz4luuW66CoH","part":{"id":"prt_24b1dad2b001aC6kh4PWek8WZK","sessionID":"ses_db4e259daffeNaNz4luuW66CoH","messageID":"msg_24b1da9100019X3ZvenQ4AsQOl","type":"step-finish","reason":"tool-calls","cost":0.0084,"tokens":{"total":7060,"input":2000,"output":60,"reasoning":0,"cache":{"read":5000,"write":0}}},"time":1796556565803}');
INSERT INTO "event" VALUES('evt_24b1dad2d001ZIPLjTJObg1f7I','ses_db4e259daffeNaNz4luuW66CoH',15,'message.updated.1','{"sessionID":"ses_db4e259daffeNaNz4luuW66CoH","info":{"id":"msg_24b1da9100019X3ZvenQ4AsQOl","sessionID":"ses_db4e259daffeNaNz4luuW66CoH","role":"assistant","time":{"created":1796556564752},"parentID":"msg_24b1da650001QPZcnaLEXhYKbq","modelID":"fake-model","providerID":"fake","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-subagent/project","root":"/"},"cost":0.0084,"tokens":{"total":7060,"input":2000,"output":60,"reasoning":0,"cache":{"read":5000,"write":0}},"finish":"tool-calls"}}');
INSERT INTO "event" VALUES('evt_24b1dad30001JhzFEamtYwvUv4','ses_db4e259daffeNaNz4luuW66CoH',16,'message.updated.1','{"sessionID":"ses_db4e259daffeNaNz4luuW66CoH","info":{"id":"msg_24b1da9100019X3ZvenQ4AsQOl","sessionID":"ses_db4e259daffeNaNz4luuW66CoH","role":"assistant","time":{"created":1796556564752,"completed":1796556565807},"parentID":"msg_24b1da650001QPZcnaLEXhYKbq","modelID":"fake-model","providerID":"fake","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-subagent/project","root":"/"},"cost":0.0084,"tokens":{"total":7060,"input":2000,"output":60,"reasoning":0,"cache":{"read":5000,"write":0}},"finish":"tool-calls"}}');
INSERT INTO "event" VALUES('evt_24b1dad33001WEvI9RLR8yJWOy','ses_db4e259daffeNaNz4luuW66CoH',17,'message.updated.1','{"sessionID":"ses_db4e259daffeNaNz4luuW66CoH","info":{"id":"msg_24b1dad33001RMqx82Tui5GRGg","sessionID":"ses_db4e259daffeNaNz4luuW66CoH","role":"assistant","time":{"created":1796556565811},"parentID":"msg_24b1da650001QPZcnaLEXhYKbq","modelID":"fake-model","providerID":"fake","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-subagent/project","root":"/"},"cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}}}}');
INSERT INTO "event" VALUES('evt_24b1dad3a001OBhhY76ddWyOWi','ses_db4e253f6ffec5JocirOTyBeTG',26,'session.updated.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","info":{"id":"ses_db4e253f6ffec5JocirOTyBeTG","slug":"silent-river","projectID":"global","directory":"/tmp/am-agents/opencode-subagent/project","path":"tmp/am-agents/opencode-subagent/project","parentID":"ses_db4e259daffeNaNz4luuW66CoH","summary":{"additions":0,"deletions":0,"files":0},"cost":0.0066300000000000005,"tokens":{"input":1600,"output":32,"reasoning":0,"cache":{"read":4500,"write":0}},"title":"Count files (@general subagent)","agent":"general","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556565514,"updated":1796556565817},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"},{"permission":"task","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1dad3d001BngOQ0d6AEtmt6','ses_db4e253f6ffec5JocirOTyBeTG',27,'message.updated.1','{"sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","info":{"id":"msg_24b1dac140015PmUJsjE6KD7QN","sessionID":"ses_db4e253f6ffec5JocirOTyBeTG","role":"user","time":{"created":1796556565525},"summary":{"diffs":[]},"agent":"general","model":{"providerID":"fake","modelID":"fake-model"}}}');
INSERT INTO "event" VALUES('evt_24b1dad40001eFNYeGHyPp469V','ses_db4e259daffeNaNz4luuW66CoH',18,'session.updated.1','{"sessionID":"ses_db4e259daffeNaNz4luuW66CoH","info":{"id":"ses_db4e259daffeNaNz4luuW66CoH","slug":"lucky-cactus","projectID":"global","directory":"/tmp/am-agents/opencode-subagent/project","path":"tmp/am-agents/opencode-subagent/project","summary":{"additions":0,"deletions":0,"files":0},"cost":0.0084,"tokens":{"input":2000,"output":60,"reasoning":0,"cache":{"read":5000,"write":0}},"title":"Count files","agent":"build","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556564005,"updated":1796556565824},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1dad44001GAGx2NXCi9e6GR','ses_db4e259daffeNaNz4luuW66CoH',19,'message.updated.1','{"sessionID":"ses_db4e259daffeNaNz4luuW66CoH","info":{"id":"msg_24b1da650001QPZcnaLEXhYKbq","sessionID":"ses_db4e259daffeNaNz4luuW66CoH","role":"user","time":{"created":1796556564048},"summary":{"diffs":[]},"agent":"build","model":{"providerID":"fake","modelID":"fake-model"}}}');
INSERT INTO "event" VALUES('evt_24b1dad6d001R0ZUYfOb2Of1RG','ses_db4e259daffeNaNz4luuW66CoH',20,'message.part.updated.1','{"sessionID":"ses_db4e259daffeNaNz4luuW66CoH","part":{"id":"prt_24b1dad6c001kgczUz1ggc4Lc9","sessionID":"ses_db4e259daffeNaNz4luuW66CoH","messageID":"msg_24b1dad33001RMqx82Tui5GRGg","type":"step-start"},"time":1796556565868}');
INSERT INTO "event" VALUES('evt_24b1dad70001PpYWBJvUcdYvrm','ses_db4e259daffeNaNz4luuW66CoH',21,'message.part.updated.1','{"sessionID":"ses_db4e259daffeNaNz4luuW66CoH","part":{"id":"prt_24b1dad6f001eK0dBGaUvtHcDk","sessionID":"ses_db4e259daffeNaNz4luuW66CoH","messageID":"msg_24b1dad33001RMqx82Tui5GRGg","type":"text","text":"","time":{"start":1796556565871}},"time":1796556565871}');
INSERT INTO "event" VALUES('evt_24b1dad73001lS9XLC6HDfIT1b','ses_db4e259daffeNaNz4luuW66CoH',22,'message.part.updated.1','{"sessionID":"ses_db4e259daffeNaNz4luuW66CoH","part":{"id":"prt_24b1dad6f001eK0dBGaUvtHcDk","sessionID":"ses_db4e259daffeNaNz4luuW66CoH","messageID":"msg_24b1dad33001RMqx82Tui5GRGg","type":"text","text":"The subagent counted 1 file.","time":{"start":1796556565871,"end":1796556565874}},"time":1796556565875}');
INSERT INTO "event" VALUES('evt_24b1dad750015McXtxI3myyEx3','ses_db4e259daffeNaNz4luuW66CoH',23,'message.part.updated.1','{"sessionID":"ses_db4e259daffeNaNz4luuW66CoH","part":{"id":"prt_24b1dad75001lq1Ftgwspbxv7N","sessionID":"ses_db4e259daffeNaNz4luuW66CoH","messageID":"msg_24b1dad33001RMqx82Tui5GRGg","type":"step-finish","reason":"stop","cost":0.00234,"tokens":{"total":5960,"input":150,"output":10,"reasoning":0,"cache":{"read":5800,"write":0}}},"time":1796556565877}');
INSERT INTO "event" VALUES('evt_24b1dad77001iVTkRCyGZwIuWJ','ses_db4e259daffeNaNz4luuW66CoH',24,'message.updated.1','{"sessionID":"ses_db4e259daffeNaNz4luuW66CoH","info":{"id":"msg_24b1dad33001RMqx82Tui5GRGg","sessionID":"ses_db4e259daffeNaNz4luuW66CoH","role":"assistant","time":{"created":1796556565811},"parentID":"msg_24b1da650001QPZcnaLEXhYKbq","modelID":"fake-model","providerID":"fake","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-subagent/project","root":"/"},"cost":0.00234,"tokens":{"total":5960,"input":150,"output":10,"reasoning":0,"cache":{"read":5800,"write":0}},"finish":"stop"}}');
INSERT INTO "event" VALUES('evt_24b1dad790018DkLXCKyXd9Ryq','ses_db4e259daffeNaNz4luuW66CoH',25,'message.updated.1','{"sessionID":"ses_db4e259daffeNaNz4luuW66CoH","info":{"id":"msg_24b1dad33001RMqx82Tui5GRGg","sessionID":"ses_db4e259daffeNaNz4luuW66CoH","role":"assistant","time":{"created":1796556565811,"completed":1796556565881},"parentID":"msg_24b1da650001QPZcnaLEXhYKbq","modelID":"fake-model","providerID":"fake","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-subagent/project","root":"/"},"cost":0.00234,"tokens":{"total":5960,"input":150,"output":10,"reasoning":0,"cache":{"read":5800,"write":0}},"finish":"stop"}}');
INSERT INTO "event" VALUES('evt_24b1dad8f001bQyJF5BSn3SXxt','ses_db4e259daffeNaNz4luuW66CoH',26,'session.updated.1','{"sessionID":"ses_db4e259daffeNaNz4luuW66CoH","info":{"id":"ses_db4e259daffeNaNz4luuW66CoH","slug":"lucky-cactus","projectID":"global","directory":"/tmp/am-agents/opencode-subagent/project","path":"tmp/am-agents/opencode-subagent/project","summary":{"additions":0,"deletions":0,"files":0},"cost":0.01074,"tokens":{"input":2150,"output":70,"reasoning":0,"cache":{"read":10800,"write":0}},"title":"Count files","agent":"build","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556564005,"updated":1796556565902},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
CREATE TABLE `event_sequence` (
          `aggregate_id` text PRIMARY KEY,
          `seq` integer NOT NULL,
          `owner_id` text
        );
INSERT INTO "event_sequence" VALUES('ses_db4e259daffeNaNz4luuW66CoH',26,NULL);
INSERT INTO "event_sequence" VALUES('ses_db4e253f6ffec5JocirOTyBeTG',27,NULL);
CREATE TABLE `message` (
          `id` text PRIMARY KEY,
          `session_id` text NOT NULL,
          `time_created` integer NOT NULL,
          `time_updated` integer NOT NULL,
          `data` text NOT NULL,
          CONSTRAINT `fk_message_session_id_session_id_fk` FOREIGN KEY (`session_id`) REFERENCES `session`(`id`) ON DELETE CASCADE
        );
INSERT INTO "message" VALUES('msg_24b1da650001QPZcnaLEXhYKbq','ses_db4e259daffeNaNz4luuW66CoH',1796556564048,1796556565829,'{"role":"user","time":{"created":1796556564048},"agent":"build","model":{"providerID":"fake","modelID":"fake-model"},"summary":{"diffs":[]}}');
INSERT INTO "message" VALUES('msg_24b1da9100019X3ZvenQ4AsQOl','ses_db4e259daffeNaNz4luuW66CoH',1796556564752,1796556565808,'{"parentID":"msg_24b1da650001QPZcnaLEXhYKbq","role":"assistant","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-subagent/project","root":"/"},"cost":0.0084,"tokens":{"total":7060,"input":2000,"output":60,"reasoning":0,"cache":{"write":0,"read":5000}},"modelID":"fake-model","providerID":"fake","time":{"created":1796556564752,"completed":1796556565807},"finish":"tool-calls"}');
INSERT INTO "message" VALUES('msg_24b1dac140015PmUJsjE6KD7QN','ses_db4e253f6ffec5JocirOTyBeTG',1796556565525,1796556565822,'{"role":"user","time":{"created":1796556565525},"agent":"general","model":{"providerID":"fake","modelID":"fake-model"},"summary":{"diffs":[]}}');
INSERT INTO "message" VALUES('msg_24b1dac2c0014JSSqxG5IV15is','ses_db4e253f6ffec5JocirOTyBeTG',1796556565548,1796556565719,'{"parentID":"msg_24b1dac140015PmUJsjE6KD7QN","role":"assistant","mode":"general","agent":"general","path":{"cwd":"/tmp/am-agents/opencode-subagent/project","root":"/"},"cost":0.004875,"tokens":{"total":1525,"input":1500,"output":25,"reasoning":0,"cache":{"write":0,"read":0}},"modelID":"fake-model","providerID":"fake","time":{"created":1796556565548,"completed":1796556565718},"finish":"tool-calls"}');
INSERT INTO "message" VALUES('msg_24b1dacda001MPvITW5hXBaZk1','ses_db4e253f6ffec5JocirOTyBeTG',1796556565722,1796556565790,'{"parentID":"msg_24b1dac140015PmUJsjE6KD7QN","role":"assistant","mode":"general","agent":"general","path":{"cwd":"/tmp/am-agents/opencode-subagent/project","root":"/"},"cost":0.001755,"tokens":{"total":4607,"input":100,"output":7,"reasoning":0,"cache":{"write":0,"read":4500}},"modelID":"fake-model","providerID":"fake","time":{"created":1796556565722,"completed":1796556565789},"finish":"stop"}');
INSERT INTO "message" VALUES('msg_24b1dad33001RMqx82Tui5GRGg','ses_db4e259daffeNaNz4luuW66CoH',1796556565811,1796556565882,'{"parentID":"msg_24b1da650001QPZcnaLEXhYKbq","role":"assistant","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-subagent/project","root":"/"},"cost":0.00234,"tokens":{"total":5960,"input":150,"output":10,"reasoning":0,"cache":{"write":0,"read":5800}},"modelID":"fake-model","providerID":"fake","time":{"created":1796556565811,"completed":1796556565881},"finish":"stop"}');
CREATE TABLE "migration" (id TEXT PRIMARY KEY, time_completed INTEGER NOT NULL);
INSERT INTO "migration" VALUES('20260127222353_familiar_lady_ursula',1796556563236);
INSERT INTO "migration" VALUES('20260211171708_add_project_commands',1796556563237);
INSERT INTO "migration" VALUES('20260213144116_wakeful_the_professor',1796556563237);
INSERT INTO "migration" VALUES('20260225215848_workspace',1796556563237);
INSERT INTO "migration" VALUES('20260227213759_add_session_workspace_id',1796556563237);
INSERT INTO "migration" VALUES('20260228203230_blue_harpoon',1796556563237);
INSERT INTO "migration" VALUES('20260303231226_add_workspace_fields',1796556563237);
INSERT INTO "migration" VALUES('20260309230000_move_org_to_state',1796556563237);
INSERT INTO "migration" VALUES('20260312043431_session_message_cursor',1796556563237);
INSERT INTO "migration" VALUES('20260323234822_events',1796556563238);
INSERT INTO "migration" VALUES('20260410174513_workspace-name',1796556563238);
INSERT INTO "migration" VALUES('20260413175956_chief_energizer',1796556563238);
INSERT INTO "migration" VALUES('20260423070820_add_icon_url_override',1796556563238);
INSERT INTO "migration" VALUES('20260427172553_slow_nightmare',1796556563238);
INSERT INTO "migration" VALUES('20260428004200_add_session_path',1796556563238);
INSERT INTO "migration" VALUES('20260501142318_next_venus',1796556563238);
INSERT INTO "migration" VALUES('20260504145000_add_sync_owner',1796556563238);
INSERT INTO "migration" VALUES('20260507164347_add_workspace_time',1796556563238);
INSERT INTO "migration" VALUES('20260510033149_session_usage',1796556563239);
INSERT INTO "migration" VALUES('20260511000411_data_migration_state',1796556563239);
INSERT INTO "migration" VALUES('20260511173437_session-metadata',1796556563239);
INSERT INTO "migration" VALUES('20260601010001_normalize_storage_paths',1796556563240);
INSERT INTO "migration" VALUES('20260601202201_amazing_prowler',1796556563240);
INSERT INTO "migration" VALUES('20260602002951_lowly_union_jack',1796556563240);
INSERT INTO "migration" VALUES('20260602182828_add_project_directories',1796556563240);
INSERT INTO "migration" VALUES('20260603001617_session_message_projection_indexes',1796556563240);
INSERT INTO "migration" VALUES('20260603040000_session_message_projection_order',1796556563240);
INSERT INTO "migration" VALUES('20260603141458_session_input_inbox',1796556563240);
INSERT INTO "migration" VALUES('20260603160727_jittery_ezekiel_stane',1796556563240);
INSERT INTO "migration" VALUES('20260604172448_event_sourced_session_input',1796556563240);
INSERT INTO "migration" VALUES('20260605003541_add_session_context_snapshot',1796556563240);
INSERT INTO "migration" VALUES('20260605042240_add_context_epoch_agent',1796556563241);
INSERT INTO "migration" VALUES('20260611035744_credential',1796556563241);
INSERT INTO "migration" VALUES('20260611192811_lush_chimera',1796556563241);
INSERT INTO "migration" VALUES('20260612174303_project_dir_strategy',1796556563241);
INSERT INTO "migration" VALUES('20260622142730_simplify_session_context_epoch',1796556563241);
INSERT INTO "migration" VALUES('20260622170816_reset_v2_session_state',1796556563241);
INSERT INTO "migration" VALUES('20260622202450_simplify_session_input',1796556563241);
CREATE TABLE `part` (
          `id` text PRIMARY KEY,
          `message_id` text NOT NULL,
          `session_id` text NOT NULL,
          `time_created` integer NOT NULL,
          `time_updated` integer NOT NULL,
          `data` text NOT NULL,
          CONSTRAINT `fk_part_message_id_message_id_fk` FOREIGN KEY (`message_id`) REFERENCES `message`(`id`) ON DELETE CASCADE
        );
INSERT INTO "part" VALUES('prt_24b1da6650012nAgVP5Qvfzt1v','msg_24b1da650001QPZcnaLEXhYKbq','ses_db4e259daffeNaNz4luuW66CoH',1796556564073,1796556564074,'{"type":"text","text":"\"Use a subagent to count the files here.\""}');
INSERT INTO "part" VALUES('prt_24b1dabf9001l7K05HUSM0AkeI','msg_24b1da9100019X3ZvenQ4AsQOl','ses_db4e259daffeNaNz4luuW66CoH',1796556565498,1796556565500,'{"type":"step-start"}');
INSERT INTO "part" VALUES('prt_24b1dabfe001vx3sHBEUy8pnLZ','msg_24b1da9100019X3ZvenQ4AsQOl','ses_db4e259daffeNaNz4luuW66CoH',1796556565502,1796556565801,'{"type":"tool","tool":"task","callID":"call_fake_0003_0","state":{"status":"completed","input":{"description":"Count files","prompt":"Count the files in the project directory and report the number.","subagent_type":"general"},"output":"<task id=\"ses_db4e253f6ffec5JocirOTyBeTG\" state=\"completed\">\n<task_result>\nThere is 1 file.\n</task_result>\n</task>","metadata":{"parentSessionId":"ses_db4e259daffeNaNz4luuW66CoH","sessionId":"ses_db4e253f6ffec5JocirOTyBeTG","model":{"modelID":"fake-model","providerID":"fake"},"truncated":false},"title":"Count files","time":{"start":1796556565518,"end":1796556565800}}}');
INSERT INTO "part" VALUES('prt_24b1dac19001YljAnxvx5xtEwx','msg_24b1dac140015PmUJsjE6KD7QN','ses_db4e253f6ffec5JocirOTyBeTG',1796556565532,1796556565533,'{"type":"text","text":"Count the files in the project directory and report the number."}');
INSERT INTO "part" VALUES('prt_24b1dac640012N2kcTymMZuBo1','msg_24b1dac2c0014JSSqxG5IV15is','ses_db4e253f6ffec5JocirOTyBeTG',1796556565604,1796556565605,'{"type":"step-start"}');
INSERT INTO "part" VALUES('prt_24b1dac68001aNPg6Unk1K25in','msg_24b1dac2c0014JSSqxG5IV15is','ses_db4e253f6ffec5JocirOTyBeTG',1796556565608,1796556565708,'{"type":"tool","tool":"bash","callID":"call_fake_0005_0","state":{"status":"completed","input":{"command":"ls | wc -l","description":"Count files"},"output":"1\n","metadata":{"output":"1\n","exit":0,"truncated":false},"title":"ls | wc -l","time":{"start":1796556565614,"end":1796556565706}}}');
INSERT INTO "part" VALUES('prt_24b1daccf001PEy0etCUr46aPT','msg_24b1dac2c0014JSSqxG5IV15is','ses_db4e253f6ffec5JocirOTyBeTG',1796556565711,1796556565713,'{"reason":"tool-calls","type":"step-finish","tokens":{"total":1525,"input":1500,"output":25,"reasoning":0,"cache":{"write":0,"read":0}},"cost":0.004875}');
INSERT INTO "part" VALUES('prt_24b1dad0f001l2fHmoWHiyR8Tw','msg_24b1dacda001MPvITW5hXBaZk1','ses_db4e253f6ffec5JocirOTyBeTG',1796556565775,1796556565777,'{"type":"step-start"}');
INSERT INTO "part" VALUES('prt_24b1dad12001cQYceRu2Euc6zd','msg_24b1dacda001MPvITW5hXBaZk1','ses_db4e253f6ffec5JocirOTyBeTG',1796556565779,1796556565783,'{"type":"text","text":"There is 1 file.","time":{"start":1796556565778,"end":1796556565782}}');
INSERT INTO "part" VALUES('prt_24b1dad19001x4vUDj1Uw3vpe0','msg_24b1dacda001MPvITW5hXBaZk1','ses_db4e253f6ffec5JocirOTyBeTG',1796556565785,1796556565786,'{"reason":"stop","type":"step-finish","tokens":{"total":4607,"input":100,"output":7,"reasoning":0,"cache":{"write":0,"read":4500}},"cost":0.001755}');
INSERT INTO "part" VALUES('prt_24b1dad2b001aC6kh4PWek8WZK','msg_24b1da9100019X3ZvenQ4AsQOl','ses_db4e259daffeNaNz4luuW66CoH',1796556565803,1796556565804,'{"reason":"tool-calls","type":"step-finish","tokens":{"total":7060,"input":2000,"output":60,"reasoning":0,"cache":{"write":0,"read":5000}},"cost":0.0084}');
INSERT INTO "part" VALUES('prt_24b1dad6c001kgczUz1ggc4Lc9','msg_24b1dad33001RMqx82Tui5GRGg','ses_db4e259daffeNaNz4luuW66CoH',1796556565868,1796556565870,'{"type":"step-start"}');
INSERT INTO "part" VALUES('prt_24b1dad6f001eK0dBGaUvtHcDk','msg_24b1dad33001RMqx82Tui5GRGg','ses_db4e259daffeNaNz4luuW66CoH',1796556565871,1796556565875,'{"type":"text","text":"The subagent counted 1 file.","time":{"start":1796556565871,"end":1796556565874}}');
INSERT INTO "part" VALUES('prt_24b1dad75001lq1Ftgwspbxv7N','msg_24b1dad33001RMqx82Tui5GRGg','ses_db4e259daffeNaNz4luuW66CoH',1796556565877,1796556565878,'{"reason":"stop","type":"step-finish","tokens":{"total":5960,"input":150,"output":10,"reasoning":0,"cache":{"write":0,"read":5800}},"cost":0.00234}');
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
INSERT INTO "project" VALUES('global','/',NULL,NULL,NULL,NULL,NULL,1796556563518,1796556563518,NULL,'[]',NULL);
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
INSERT INTO "session" VALUES('ses_db4e259daffeNaNz4luuW66CoH','global',NULL,NULL,'lucky-cactus','/tmp/am-agents/opencode-subagent/project','tmp/am-agents/opencode-subagent/project','Count files','1.18.33',NULL,0,0,0,NULL,NULL,0.01074,2150,70,0,10800,0,NULL,'[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]','build','{"id":"fake-model","providerID":"fake","variant":"default"}',1796556564005,1796556565902,NULL,NULL);
INSERT INTO "session" VALUES('ses_db4e253f6ffec5JocirOTyBeTG','global',NULL,'ses_db4e259daffeNaNz4luuW66CoH','silent-river','/tmp/am-agents/opencode-subagent/project','tmp/am-agents/opencode-subagent/project','Count files (@general subagent)','1.18.33',NULL,0,0,0,NULL,NULL,6.63000000000000047628e-03,1600,32,0,4500,0,NULL,'[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"},{"permission":"task","pattern":"*","action":"deny"}]','general','{"id":"fake-model","providerID":"fake","variant":"default"}',1796556565514,1796556565817,NULL,NULL);
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
